//! The console's words in English and Chinese; the operator picks one (a
//! cookie), and every page gets the whole table as `t`.

use serde_json::{Map, Value};

const WORDS: &[(&str, &str, &str)] = &[
    ("console", "Tradewind console", "Tradewind 控制台"),
    ("sign_in", "Sign in", "登录"),
    ("sign_out", "Sign out", "退出"),
    ("user", "User name", "用户名"),
    ("password", "Password", "密码"),
    ("bad_login", "Wrong user name or password.", "用户名或密码错误。"),
    ("inbox", "Inbox", "收件箱"),
    ("operations", "Operations", "运维"),
    ("audit", "Audit log", "审计日志"),
    ("filters", "Filters", "筛选"),
    ("status", "Status", "状态"),
    ("risk", "Risk", "风险"),
    ("channel", "Channel", "渠道"),
    ("language", "Language", "语言"),
    ("customer", "Customer", "客户"),
    ("since", "Since (hours)", "最近（小时）"),
    ("any", "any", "全部"),
    ("apply", "Apply", "应用"),
    ("inquiry", "Inquiry", "询盘"),
    ("updated", "Updated", "更新"),
    ("no_inquiries", "No inquiries match.", "没有符合条件的询盘。"),
    ("live", "Live: new inquiries appear here as the swarm settles them.", "实时：智能体处理完的询盘会自动出现。"),
    ("conversation", "Conversation", "对话"),
    ("structured", "Structured inquiry", "结构化询盘"),
    ("versions", "Versions", "版本"),
    ("timeline", "Timeline", "时间线"),
    ("proposal", "Proposal", "报价方案"),
    ("customs", "Customs pre-check", "报关预检"),
    ("faq_cards", "FAQ cards", "FAQ 卡片"),
    ("deliveries", "Deliveries", "投递"),
    ("held", "Held for approval", "待审批"),
    ("sent", "Sent", "已发送"),
    ("dead_letters", "Dead letters", "死信"),
    ("decisions", "Decisions", "决定"),
    ("reason", "Reason", "理由"),
    ("clear", "Clear for sending", "合规放行"),
    ("block", "Block", "拦截"),
    ("draft", "Draft (Markdown)", "草稿（Markdown）"),
    ("save_edit", "Save as new version", "保存为新版本"),
    ("approve", "Approve and send", "批准并发送"),
    ("reject", "Reject", "驳回"),
    ("not_your_step", "Your role cannot act at this stage.", "您的角色无法处理此阶段。"),
    ("queue", "Queues", "队列"),
    ("lists", "Screening lists and HS", "筛查名单与 HS"),
    ("llm", "Model", "模型"),
    ("retry", "Retry", "重试"),
    ("metrics", "Prometheus metrics", "Prometheus 指标"),
    ("export", "Export JSONL", "导出 JSONL"),
    ("field", "Field", "字段"),
    ("before", "Before", "之前"),
    ("after", "After", "之后"),
    ("who", "Who", "操作人"),
    ("when", "When", "时间"),
    ("trigger", "Triggered by", "触发"),
    ("tokens", "tokens", "令牌"),
    ("degraded", "Degraded", "降级"),
    ("documents", "Documents", "单证"),
    ("stage_drafted", "drafted", "草稿"),
    ("stage_awaiting_compliance", "awaiting compliance", "待合规审核"),
    ("stage_awaiting_sales", "awaiting sales approval", "待销售批准"),
    ("stage_sent", "sent", "已发送"),
    ("stage_rejected", "rejected", "已驳回"),
    ("source", "Source", "来源"),
    ("skip", "Skip to content", "跳到正文"),
    ("strategies", "Strategies", "策略"),
    ("strategies_unavailable", "Strategies are not available in this deployment.", "此部署未启用策略管理。"),
    ("active_strategy", "Active strategy", "当前策略"),
    ("canary", "Canary", "灰度发布"),
    ("no_canary", "No canary is running.", "当前没有灰度发布。"),
    ("share", "Share", "流量占比"),
    ("started", "Since", "开始于"),
    ("by", "By", "发起人"),
    ("stop_canary", "Stop canary", "停止灰度"),
    ("stop_admin_only", "Only an admin can stop the canary.", "只有管理员可以停止灰度发布。"),
    ("live_figures", "Live figures", "实时指标"),
    ("strategy", "Strategy", "策略"),
    ("inquiries", "Inquiries", "询盘数"),
    ("error_rate", "Error rate", "错误率"),
    ("degraded_rate", "Degraded rate", "降级率"),
    ("negative_rate", "Negative feedback rate", "差评率"),
    ("window", "Window", "统计窗口"),
    ("thresholds", "Thresholds", "阈值"),
    ("all_strategies", "All strategies", "全部策略"),
    ("role", "Role", "角色"),
    ("description", "Description", "说明"),
    ("fingerprint", "Fingerprint", "指纹"),
    ("replay_reports", "Replay reports", "回放报告"),
    ("report", "Report", "报告"),
    ("created", "Created", "创建时间"),
    ("baseline_candidate", "Baseline → candidate", "基线 → 候选"),
    ("gate", "Gate", "闸门"),
    ("passed", "PASSED", "通过"),
    ("failed", "FAILED", "未通过"),
    ("cases", "Cases", "用例"),
    ("with_diffs", "With diffs", "有差异"),
    ("false_triggers", "False triggers", "误触发"),
    ("metric", "Metric", "指标"),
    ("improvement", "Improvement", "提升"),
    ("history", "History", "历史"),
    ("action", "Action", "操作"),
    ("none_yet", "None yet.", "暂无。"),
    ("action_canary", "canary started", "开始灰度"),
    ("action_promote", "promoted", "已推广"),
    ("action_rollback", "rolled back", "已回滚"),
    ("action_stop", "canary stopped", "已停止灰度"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn parse(s: Option<&str>) -> Lang {
        match s {
            Some("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Every word of the console in this language.
    pub fn table(self) -> Value {
        let mut m = Map::new();
        for (k, en, zh) in WORDS {
            m.insert((*k).into(), Value::String(if self == Lang::Zh { zh } else { en }.to_string()));
        }
        Value::Object(m)
    }

    pub fn word(self, key: &str) -> &'static str {
        WORDS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, en, zh)| if self == Lang::Zh { *zh } else { *en })
            .unwrap_or("")
    }
}
