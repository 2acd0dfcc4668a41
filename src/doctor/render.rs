//! A doctor report as text (for people), JSON (stable, for scripts) and a one- or
//! two-line verdict (for the TUI's detail pane). Pure.

use super::arn::Principal;
use super::policy::{PolicyKind, pretty};
use super::{CauseId, Confidence, HopContext, Report};
use crate::resolve::outcome::{HopKind, Status};
use serde_json::{Value, json};
use std::fmt::Write;

impl Report {
    /// The stable JSON form.
    pub fn to_json(&self) -> Value {
        json!({
            "profile": self.profile,
            "status": self.status,
            "chain": self.chain,
            "identity": self.identity,
            "hop": self.hop,
            "error": self.error.as_ref().map(|e| json!({
                "code": e.code,
                "message": e.message,
                "kind": e.kind,
                "caller_arn": e.caller_arn,
            })),
            "causes": self.causes,
            "policies": self.policies,
            "actions": self.actions,
            "iam_checks": {
                "used": self.iam.used,
                "notes": self.iam.notes,
            },
        })
    }

    /// One or two lines: what is wrong and the first thing to do.
    pub fn short_verdict(&self) -> String {
        if self.status == Status::Ok {
            return match &self.identity {
                Some(i) => format!("OK: resolves to {}", i.arn),
                None => "OK".to_string(),
            };
        }
        let Some(top) = self.top_cause() else {
            return format!(
                "{}: {}",
                self.status.label(),
                self.error.as_ref().map(|e| e.summary()).unwrap_or_default()
            );
        };
        let hop = self.hop.as_ref();
        let lead = match (top.id, hop.and_then(|h| h.same_account)) {
            (CauseId::TrustPolicy | CauseId::IdentityPolicy, Some(false)) => {
                let both = self
                    .cause(CauseId::TrustPolicy)
                    .is_some_and(|c| c.confidence != Confidence::RuledOut)
                    && self
                        .cause(CauseId::IdentityPolicy)
                        .is_some_and(|c| c.confidence != Confidence::RuledOut);
                if both {
                    format!(
                        "Cross-account denial: the trust policy of {} must name {}, and that caller needs sts:AssumeRole on it.",
                        target_name(self),
                        caller_name(self)
                    )
                } else {
                    format!(
                        "Cross-account denial ({}): {}.",
                        top.confidence.label(),
                        top.title
                    )
                }
            }
            (CauseId::TrustPolicy, Some(true)) => format!(
                "Same-account denial ({}): the trust policy of {} must name {}.",
                top.confidence.label(),
                target_name(self),
                caller_name(self)
            ),
            _ => format!("{} ({}).", capitalise(&top.title), top.confidence.label()),
        };
        format!(
            "{lead}\nFix: {}; details: rswitch doctor {}",
            top.fix, self.profile
        )
    }

    /// The full text report: the headline, the failing hop's caller and target, the likely
    /// causes, the policies and commands that fix them, and what IAM was asked.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let chain = self.chain.join(" -> ");
        if self.status == Status::Ok {
            let who = self.identity.as_ref().map(|i| i.arn.as_str()).unwrap_or("?");
            let _ = writeln!(out, "profile {}: OK ({chain})\n  resolves to {who}", self.profile);
            return out;
        }
        self.headline(&mut out, &chain);
        if let Some(hop) = &self.hop
            && hop.kind == HopKind::AssumeRole
        {
            out.push('\n');
            hop_context(&mut out, hop);
        }
        self.causes_text(&mut out);
        self.fixes_text(&mut out);
        out.push('\n');
        if self.iam.notes.is_empty() {
            let _ = writeln!(out, "IAM checks: none.");
        } else {
            let _ = writeln!(out, "IAM checks:");
            for note in &self.iam.notes {
                let _ = writeln!(out, "  {note}");
            }
        }
        out
    }

    /// `profile P: DENIED at hop N (chain), profile 'Q'` and the error's summary.
    fn headline(&self, out: &mut String, chain: &str) {
        let _ = write!(out, "profile {}: {}", self.profile, self.status.label());
        match &self.hop {
            Some(hop) => {
                let _ = writeln!(
                    out,
                    // Numbered as `check` and `whoami` number them: 1 is the base credentials.
                    " at hop {} ({chain}), profile '{}'",
                    hop.index + 1,
                    hop.profile
                );
            }
            None => {
                let _ = writeln!(out, " ({chain})");
            }
        }
        if let Some(e) = &self.error {
            let _ = writeln!(out, "  {}", e.summary());
        }
    }

    fn causes_text(&self, out: &mut String) {
        if self.causes.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\nLikely causes, most likely first ({}):",
            if self.iam.used {
                "confirmed or ruled out by IAM where marked"
            } else {
                "no IAM checks, so everything not stated by STS or the config is inferred"
            }
        );
        for (i, c) in self.causes.iter().enumerate() {
            let _ = writeln!(out, "  {}. [{}] {}", i + 1, c.confidence.label(), c.title);
            if c.confidence != Confidence::RuledOut {
                let _ = writeln!(out, "     fix: {}", c.fix);
            }
            let _ = writeln!(out, "     basis: {}", c.evidence);
        }
    }

    /// Each policy document to attach, then the commands that attach them and the other
    /// actions, for the user to review and run.
    fn fixes_text(&self, out: &mut String) {
        for fix in &self.policies {
            let what = match fix.kind {
                PolicyKind::Trust => format!(
                    "Trust policy for role {} (account {})",
                    fix.attach_to, fix.account
                ),
                PolicyKind::RoleIdentity => format!(
                    "Identity policy for role {} (account {})",
                    fix.attach_to, fix.account
                ),
                PolicyKind::UserIdentity => format!(
                    "Identity policy for user {} (account {})",
                    fix.attach_to, fix.account
                ),
            };
            let need = if fix.required { "required" } else { "may be needed" };
            let _ = writeln!(out, "\n{what}, {need}:\n{}", pretty(&fix.document));
        }
        if self.policies.is_empty() && self.actions.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\nCommands to review and run yourself (rswitch never changes IAM):"
        );
        for fix in &self.policies {
            let _ = writeln!(
                out,
                "# with credentials for account {}; {}",
                fix.account, fix.note
            );
            let _ = writeln!(out, "{}", fix.command);
        }
        for action in &self.actions {
            let _ = writeln!(out, "{action}");
        }
    }
}

/// The failing AssumeRole: who called, which role, how the accounts relate, chaining.
fn hop_context(out: &mut String, hop: &HopContext) {
    match &hop.caller {
        Some(caller) => {
            let _ = writeln!(out, "Caller:   {}", caller.arn());
            match caller {
                Principal::AssumedRole { role_arn, .. } => {
                    let _ = writeln!(out, "          session of role {role_arn}");
                }
                Principal::User { .. } => {
                    let _ = writeln!(out, "          IAM user");
                }
                Principal::Root { .. } => {
                    let _ = writeln!(out, "          the account's root user");
                }
                Principal::Other { .. } => {}
            }
        }
        None => {
            let _ = writeln!(
                out,
                "Caller:   unknown (STS did not say and GetCallerIdentity failed)"
            );
        }
    }
    let target = hop.target_role_arn.as_deref().unwrap_or("?");
    let at = hop
        .location
        .as_ref()
        .map(|l| format!(" (role_arn at {l})"))
        .unwrap_or_default();
    let _ = writeln!(out, "Target:   {target}{at}");
    let accounts = match (
        hop.caller.as_ref().map(|c| c.account()),
        &hop.target_account,
        hop.same_account,
    ) {
        (Some(c), Some(_), Some(true)) => format!(
            "same account ({c}): a trust policy naming the caller's {} is enough",
            if matches!(hop.caller, Some(Principal::User { .. })) {
                "user"
            } else {
                "role"
            }
        ),
        (Some(c), Some(t), Some(false)) => format!(
            "caller {c} -> target {t}: cross-account, so the target's trust policy must name the caller \
             AND the caller's identity policy must allow sts:AssumeRole on the target"
        ),
        _ => "unknown (the caller or the target account is not known)".to_string(),
    };
    let _ = writeln!(out, "Accounts: {accounts}");
    if hop.chained {
        let _ = writeln!(
            out,
            "Chained:  the caller is a role session; STS caps this hop at one hour"
        );
    }
}

fn target_name(r: &Report) -> String {
    r.hop
        .as_ref()
        .and_then(|h| h.target_role_arn.as_deref())
        .map(crate::arn::name_of)
        .unwrap_or("the target role")
        .to_string()
}

fn caller_name(r: &Report) -> String {
    match r.hop.as_ref().and_then(|h| h.caller.as_ref()) {
        Some(p) => p.policy_arn().unwrap_or(p.arn()).to_string(),
        None => "the caller".to_string(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
