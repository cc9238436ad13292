"""What the dashboard's use-cases say, in English and Simplified Chinese."""

from __future__ import annotations

from bot.i18n import t

UNDONE = t("#{id} undone: {steps}.", "#{id} 已撤销：{steps}。")
GONE = t("#{id} could not be undone ({problem}).", "#{id} 无法撤销（{problem}）。")
KEPT = t("#{id} kept: the decision stands and is marked reviewed.",
         "#{id} 已保留：处置维持不变，并标记为已复核。")
ALREADY_KEPT = t("#{id} was already kept.", "#{id} 已经保留过了。")
ADMITTED = t("{name} approved. {detail}", "已批准 {name}。{detail}")
SKIPPED = t("{name}'s request declined and taken off the list.",
            "已拒绝 {name} 的申请并移出候补名单。")
NOT_QUEUED = t("That request is no longer waiting.", "该申请已不在候补名单中。")
LINK = t("Your dashboard login link (one use, valid {minutes} minutes):\n{url}\n"
         "Do not forward it: whoever opens it first is logged in as you.",
         "你的管理后台登录链接（仅可使用一次，{minutes} 分钟内有效）：\n{url}\n"
         "请勿转发：第一个打开它的人将以你的身份登录。")
SENT = t("I sent you a login link in private.", "已私聊发送登录链接给你。")
START_FIRST = t("I could not write to you in private: start a chat with me first, then send "
                "/dashboard again.",
                "无法私聊你：请先与我开始私聊，然后再发送 /dashboard。")
OFF = t("The dashboard is turned off in this bot's configuration.",
        "本机器人的配置中未启用管理后台。")
NOT_MODERATOR = t("The dashboard is for this chat's moderators.", "管理后台仅供本群管理人员使用。")
