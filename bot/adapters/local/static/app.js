// The playground page: renders the lobby and speaks the WebSocket protocol (see protocol.py).
"use strict";

(function () {
  const lang = document.documentElement.dataset.lang === "zh" ? "zh" : "en";
  const L = window.I18N[lang];
  const ACTIONS = window.I18N.actions[lang];
  const MAX_IMAGE = 5 * 1024 * 1024;
  const $ = (id) => document.getElementById(id);

  const model = { members: new Map(), messages: new Map(), replyTo: null };
  let ws = null;
  let muteTimer = null;

  function tr(key, values) {
    let text = L[key] || key;
    for (const [k, v] of Object.entries(values || {})) text = text.split("{" + k + "}").join(v);
    return text;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function translateStatic() {
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = tr(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.placeholder = tr(node.dataset.i18nPlaceholder);
    }
  }

  function time(iso) {
    return new Date(iso).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function when(iso) {  // a moment that may be another day: mute and ban ends
    const date = new Date(iso);
    if (date.toDateString() === new Date().toDateString()) return time(iso);
    return date.toLocaleString(lang === "zh" ? "zh-CN" : "en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  function roleName(role) { return tr("role_" + role); }

  function mutedNow(member) {
    if (!member || !member.muted) return false;
    return member.muted_until === null || new Date(member.muted_until) > new Date();
  }

  // -- connection -------------------------------------------------------------------------

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/ws");
    ws.onopen = () => setStatus("online");
    ws.onclose = () => { setStatus("offline"); setTimeout(connect, 1000); };
    ws.onmessage = (event) => receive(JSON.parse(event.data));
  }

  function setStatus(key) {
    const node = $("status");
    node.textContent = tr(key);
    node.dataset.state = key;
  }

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  function toast(text) {
    const node = $("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { node.hidden = true; }, 5000);
  }

  // -- frames -----------------------------------------------------------------------------

  const MEMBER_EVENTS = {
    member_added: (m) => tr("ev_joined", { name: m.name }),
    join_pending: (m) => tr("ev_pending", { name: m.name }),
    join_approved: (m) => tr("ev_approved", { name: m.name }),
    join_declined: (m) => tr("ev_declined", { name: m.name }),
    unmuted: (m) => tr("ev_unmuted", { name: m.name }),
    kicked: (m) => tr("ev_kicked", { name: m.name }),
    banned: (m) => tr("ev_banned", { name: m.name }),
    unbanned: (m) => tr("ev_unbanned", { name: m.name }),
    member_updated: (m) => tr("ev_role", { name: m.name, role: roleName(m.role) }),
    muted: (m, f) => f.until ? tr("ev_muted", { name: m.name, until: when(f.until) })
      : tr("ev_muted_forever", { name: m.name }),
    warned: (m, f) => tr("ev_warned", { name: m.name, count: f.count, limit: f.limit }),
  };

  function receive(frame) {
    if (frame.type === "state") return loadState(frame);
    if (frame.type === "message" || frame.type === "bot_message") {
      model.messages.set(frame.message.id, frame.message);
      appendMessage(frame.message);
      return;
    }
    if (frame.type === "removed" || frame.type === "flagged") {
      const message = model.messages.get(frame.message_id);
      if (!message) return;
      const note = { reason_en: frame.reason_en, reason_zh: frame.reason_zh, symbols: frame.symbols, action: frame.action, observe: !!frame.observe };
      if (frame.type === "removed") message.removed = note; else message.flag = note;
      replaceMessage(message);
      return;
    }
    if (frame.type === "error") { toast(lang === "zh" ? frame.zh : frame.en); return; }
    if (frame.member && MEMBER_EVENTS[frame.type]) {
      model.members.set(frame.member.id, frame.member);
      appendEvent(MEMBER_EVENTS[frame.type](frame.member, frame), frame.type);
      renderMembers();
    }
  }

  function loadState(frame) {
    document.title = frame.title;
    $("title").textContent = frame.title;
    model.members = new Map(frame.members.map((m) => [m.id, m]));
    model.messages = new Map(frame.messages.map((m) => [m.id, m]));
    $("log").replaceChildren(...frame.messages.map(renderMessage));
    renderMembers();
    scrollDown();
  }

  // -- members ----------------------------------------------------------------------------

  function renderMembers() {
    const list = $("members");
    list.replaceChildren(...[...model.members.values()].map(renderMember));
    const select = $("post-as");
    const chosen = select.value;
    const active = [...model.members.values()].filter((m) => m.status === "active");
    select.replaceChildren(...active.map((m) => el("option", { value: m.id, text: m.name + " · " + roleName(m.role) })));
    if (active.some((m) => m.id === chosen)) select.value = chosen;
    else {  // a newcomer first posts as a plain member: that is who the bot moderates
      const plain = active.find((m) => m.role === "member");
      if (plain) select.value = plain.id;
    }
    updateComposer();
  }

  function renderMember(member) {
    const roles = el("select", { "aria-label": member.name, "data-testid": "role-of", onchange: (e) => send({ type: "set_role", member: member.id, role: e.target.value }) },
      ...["member", "moderator", "admin", "owner"].map((r) => el("option", { value: r, text: roleName(r) })));
    roles.value = member.role;
    const badges = el("span", { class: "badges" });
    if (member.status !== "active") badges.append(el("span", { class: "badge status-" + member.status, text: tr("status_" + member.status) }));
    if (mutedNow(member)) badges.append(el("span", { class: "badge muted", text: tr("muted_badge") }));
    if (member.warns) badges.append(el("span", { class: "badge warns", text: tr("warns", { n: member.warns }) }));
    const item = el("li", { class: "member status-" + member.status, "data-member": member.id },
      el("span", { class: "name", text: member.name }), roles, badges);
    if (["kicked", "left", "declined"].includes(member.status)) {
      item.append(el("button", { type: "button", "data-testid": "rejoin", text: tr("rejoin"), onclick: () => send({ type: "rejoin", member: member.id }) }));
    }
    if (member.status === "pending") {
      item.append(el("span", { class: "answers" },
        el("button", { type: "button", "data-testid": "approve", text: tr("approve"), onclick: () => send({ type: "answer_join", member: member.id, approve: true }) }),
        el("button", { type: "button", "data-testid": "decline", text: tr("decline"), onclick: () => send({ type: "answer_join", member: member.id, approve: false }) })));
    }
    return item;
  }

  // -- messages ---------------------------------------------------------------------------

  function body(message) {
    const parts = [];
    if (message.kind === "forward") parts.push(el("div", { class: "forwarded", text: tr("forwarded_from", { name: message.channel || "?" }) }));
    if (message.kind === "image" && message.image_url) parts.push(el("img", { src: message.image_url, alt: "", class: "photo" }));
    if (message.kind === "voice") parts.push(el("span", { class: "voice", text: tr("voice_body") }));
    else if (message.kind === "sticker") parts.push(el("span", { class: "sticker", text: message.text }));
    else if (message.kind === "red_packet") parts.push(el("span", { class: "red-packet", text: tr("red_packet_body") + " " + message.text }));
    else if (message.text) parts.push(el("span", { class: "text", text: message.text }));
    return parts;
  }

  function note(message) {
    const removed = message.removed;
    const flag = message.flag;
    const info = removed || flag;
    if (!info) return null;
    const reason = lang === "zh" ? info.reason_zh : info.reason_en;
    let text;
    if (removed && !reason) text = tr(message.sender === "bot" ? "auto_deleted" : "removed_plain");
    else if (removed) text = tr("removed_reason", { action: ACTIONS[removed.action] || removed.action, reason });
    else if (flag.observe) text = tr("observed", { action: ACTIONS[flag.action] || flag.action, reason });
    else text = tr("flagged", { reason });
    const symbols = el("ul", { class: "symbols", "data-testid": "symbols" },
      ...Object.entries(info.symbols || {}).map(([name, score]) => el("li", {}, el("code", { text: name }), " " + Number(score).toFixed(1))));
    return el("div", { class: removed ? "removal" : "flag", "data-testid": removed ? "removal" : "flag" },
      el("span", { class: "reason", text }), symbols);
  }

  function renderMessage(message) {
    const isBot = message.sender === "bot";
    const member = model.members.get(message.sender);
    const classes = ["msg", isBot ? "bot" : "from-member", message.removed ? "removed" : "", message.flag ? "flagged" : ""].filter(Boolean).join(" ");
    const who = el("span", { class: "meta" },
      el("b", { class: "who", text: isBot ? message.sender_name : message.sender_name }),
      el("span", { class: "role", text: isBot ? tr("bot") : member ? roleName(member.role) : "" }),
      el("time", { text: time(message.date) }),
      el("button", { type: "button", class: "reply-btn", text: tr("reply"), onclick: () => setReply(message) }));
    const quoted = message.reply_to && model.messages.get(message.reply_to);
    const quote = quoted ? el("div", { class: "quote", text: "↪ " + quoted.sender_name + ": " + (quoted.text || tr("kind_" + quoted.kind)) }) : null;
    const content = message.removed ? el("del", { class: "body" }, ...body(message)) : el("div", { class: "body" }, ...body(message));
    const buttons = (message.buttons || []).length ? el("div", { class: "buttons" },
      ...message.buttons.map((b) => b.url ? el("a", { href: b.url, target: "_blank", rel: "noopener", text: lang === "zh" ? b.label_zh : b.label_en })
        : el("button", { type: "button", text: lang === "zh" ? b.label_zh : b.label_en, onclick: () => pressButton(message, b) }))) : null;
    const attrs = { class: classes, "data-id": message.id, "data-kind": message.kind, "data-sender": message.sender };
    if (message.reply_to) attrs["data-reply-to"] = message.reply_to;
    return el("li", attrs,
      who, quote, content, note(message), buttons);
  }

  function appendMessage(message) {
    $("log").append(renderMessage(message));
    scrollDown();
  }

  function replaceMessage(message) {
    const old = $("log").querySelector(`li.msg[data-id="${CSS.escape(message.id)}"]`);
    if (old) old.replaceWith(renderMessage(message));
  }

  function appendEvent(text, kind) {
    $("log").append(el("li", { class: "event ev-" + kind, "data-testid": "event", text }));
    scrollDown();
  }

  function scrollDown() {
    const log = $("log");
    log.scrollTop = log.scrollHeight;
  }

  function pressButton(message, button) {
    const member = $("post-as").value;
    if (!member) return toast(tr("no_member"));
    send({ type: "press_button", member, message_id: message.id, data: button.data });
  }

  function setReply(message) {
    model.replyTo = message ? message.id : null;
    $("reply-bar").hidden = !message;
    $("reply-text").textContent = message ? (message.text || tr("kind_" + message.kind)) : "";
  }

  // -- composer ---------------------------------------------------------------------------

  function updateComposer() {
    const member = model.members.get($("post-as").value);
    const kind = $("post-kind").value;
    $("post-channel").hidden = kind !== "forward";
    $("post-image").hidden = kind !== "image";
    const muted = mutedNow(member);
    const blocked = !member || muted || member.status !== "active";
    for (const id of ["post-text", "send", "post-kind", "post-channel", "post-image"]) $(id).disabled = blocked;
    const noteNode = $("mute-note");
    noteNode.hidden = !muted;
    clearTimeout(muteTimer);
    if (muted) {
      noteNode.textContent = member.muted_until ? tr("muted_until", { name: member.name, until: when(member.muted_until) })
        : tr("muted_forever", { name: member.name });
      if (member.muted_until) {
        const wait = new Date(member.muted_until) - new Date();
        muteTimer = setTimeout(renderMembers, Math.min(Math.max(wait + 50, 50), 2147483647));
      }
    }
  }

  function readImage(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  async function submit(event) {
    event.preventDefault();
    const member = $("post-as").value;
    if (!member) return toast(tr("no_member"));
    const kind = $("post-kind").value;
    const frame = { type: "post", member, kind, text: $("post-text").value, reply_to: model.replyTo };
    if (kind === "forward") frame.channel = $("post-channel").value;
    if (kind === "image") {
      const file = $("post-image").files[0];
      if (!file) return toast(tr("choose_image"));
      if (file.size > MAX_IMAGE) return toast(tr("image_too_large"));
      frame.image = await readImage(file);
    }
    send(frame);
    $("post-text").value = "";
    $("post-image").value = "";
    setReply(null);
  }

  function memberForm(event, join) {
    event.preventDefault();
    const name = $("member-name").value.trim();
    if (!name) return $("member-name").focus();
    if (join) send({ type: "join_request", name });
    else send({ type: "add_member", name, role: $("member-role").value });
    $("member-name").value = "";
  }

  translateStatic();
  $("composer").addEventListener("submit", submit);
  $("post-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("composer").requestSubmit(); }
  });
  $("post-as").addEventListener("change", updateComposer);
  $("post-kind").addEventListener("change", updateComposer);
  $("reply-cancel").addEventListener("click", () => setReply(null));
  $("member-form").addEventListener("submit", (e) => memberForm(e, false));
  $("join-waitlist").addEventListener("click", (e) => memberForm(e, true));
  connect();
})();
