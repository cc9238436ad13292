"""The recent long texts of one chat or network and what they say of a new one (repetition).

Posts are kept per *scope*: a chat, or every chat of its network (``networks:`` in the
config), so a text cross-posted to the network's groups is seen as one. A look-up reads only
the posts sharing a band of the new text's sketch (``bot.fingerprint``) and the member's own
posts, at most ``CANDIDATES`` of each; a candidate counts when enough of the 16 bins agree.

``Repetition.sender_days`` counts the distinct (UTC) days of the member's earlier posts *other
than the day of this message*, so "posted on 3 days" is ``sender_days + 1 >= 3``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.fingerprint import BandIndex, agreements, bands, similar, unpack
from bot.knowledge_store import TextPost
from bot.policy import Repetition

#: Posts read per band at most (the newest): a wave of one ad repeated hundreds of times costs
#: a bounded look-up, and its counts (still far past every threshold) saturate there.
CANDIDATES = 48
NO_REPETITION = Repetition()


@dataclass(slots=True, eq=False)
class RecentPost:
    """A recorded long text as a scope holds it: its bins, band keys and UTC day unpacked."""

    chat: str
    sender: str
    message_id: str
    at: datetime
    day: int
    sketch: bytes
    bins: tuple[int, ...]
    keys: list[int]

    @classmethod
    def of(cls, post: TextPost) -> RecentPost:
        bins = unpack(post.sketch)
        return cls(post.chat, post.sender, post.message_id, post.at, post.at.toordinal(),
                   post.sketch, bins, bands(bins))


class RecentTexts:
    """The recent long texts of one chat or network, with their band index."""

    __slots__ = ("index", "limit", "posts", "senders")

    def __init__(self, limit: int) -> None:
        self.posts: deque[RecentPost] = deque()
        self.index: BandIndex[RecentPost] = BandIndex()
        #: each member's own posts: their repeats are found even inside a wave of others'
        self.senders: dict[str, list[RecentPost]] = {}
        self.limit = limit

    def add(self, post: RecentPost, cutoff: datetime) -> None:
        self.posts.append(post)
        self.index.add(post, post.keys)
        self.senders.setdefault(post.sender, []).append(post)
        posts = self.posts
        while posts and (posts[0].at < cutoff or len(posts) > self.limit):
            self._drop(posts.popleft())

    def _drop(self, post: RecentPost) -> None:
        own = self.senders.get(post.sender)
        if own is not None:
            if own and own[0] is post:
                del own[0]
            elif post in own:
                own.remove(post)
            if not own:
                del self.senders[post.sender]
        self.index.discard(post, post.keys)

    def repetition(self, chat: str, sender: str, message_id: str, bins: tuple[int, ...],
                   keys: Sequence[int], today: int, cutoff: datetime, match: int
                   ) -> Repetition:
        """What the scope's posts since ``cutoff`` sharing ``match`` bins or more with the
        message (``bins`` and its band ``keys``) say; the message itself left out."""
        # newest first, and no more than CANDIDATES per band (a spam wave)
        candidates = {id(post): post for post in self.index.newest(keys, CANDIDATES)}
        for post in self.senders.get(sender, ())[-CANDIDATES:]:
            candidates[id(post)] = post
        if not candidates:
            return NO_REPETITION
        by_sender = 0
        days: set[int] = set()
        others: set[str] = set()
        chats: set[str] = set()
        posts = [p for p in candidates.values()
                 if p.at >= cutoff and (p.message_id != message_id or p.chat != chat)]
        if len(posts) > 8:  # one vectorised comparison instead of a Python loop per post
            agree = agreements(bins, (p.sketch for p in posts))
            posts = [p for p, n in zip(posts, agree, strict=True) if n >= match]
        else:
            posts = [p for p in posts if similar(bins, p.bins) >= match]
        for post in posts:
            if post.sender == sender:
                by_sender += 1
                if post.day != today:
                    days.add(post.day)
            else:
                others.add(post.sender)
            if post.chat != chat:
                chats.add(post.chat)
        if not by_sender and not others and not chats:
            return NO_REPETITION
        return Repetition(by_sender=by_sender, sender_days=len(days), by_others=len(others),
                          chats=len(chats))
