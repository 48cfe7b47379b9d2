//! The status rules of partner-api.md 1.3, for a patch about to be sent:
//!
//! | current | may move to          | substatus with that status     |
//! |---------|----------------------|--------------------------------|
//! | New     | New, Active, Closed  | Pending, Received              |
//! | Active  | Active, Closed       | Accepted                       |
//! | Closed  | Closed (terminal)    | Won, Lost, Declined, Expired   |
//!
//! A new status needs a substatus of its own (sent with it, or the referral's current one when
//! that fits); a substatus sent alone must fit the current status. Without the current state
//! (an update by id) only what the patch itself says is checked.

use super::{refuse, Operation};
use crate::error::Result;

/// The statuses a referral can be moved to, each with its substatuses.
pub static STATUSES: &[(&str, &[&str])] = &[
    ("New", &["Pending", "Received"]),
    ("Active", &["Accepted"]),
    ("Closed", &["Won", "Lost", "Declined", "Expired"]),
];

/// The substatuses that go with `status`; `None` for a status that is not in the table
/// (`None`, or a value this version does not know).
pub fn substatuses_of(status: &str) -> Option<&'static [&'static str]> {
    STATUSES.iter().find(|(s, _)| *s == status).map(|(_, subs)| *subs)
}

/// The statuses `from` may move to (itself included).
fn targets(from: &str) -> Option<&'static [&'static str]> {
    match from {
        "New" => Some(&["New", "Active", "Closed"]),
        "Active" => Some(&["Active", "Closed"]),
        "Closed" => Some(&["Closed"]),
        _ => None,
    }
}

/// The referral's state as last read, which a patch is checked against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Current<'a> {
    /// Its `status`, when it had one.
    pub status: Option<&'a str>,
    /// Its `substatus`, when it had one.
    pub substatus: Option<&'a str>,
}

/// The last string value the patch writes to `path`.
fn last_value<'p>(operations: &'p [Operation], path: &str) -> Option<&'p str> {
    operations.iter().rev().find(|o| o.path == path).and_then(|o| o.value.as_str())
}

/// Checks the status and substatus a patch writes (values already checked to be members of
/// their enums) against the table and `current`.
pub(super) fn check(operations: &[Operation], current: Option<&Current<'_>>) -> Result<()> {
    let status = last_value(operations, "/status");
    let substatus = last_value(operations, "/substatus");
    let current = current.copied().unwrap_or_default();
    // A known current status; an unknown one (`None`, a value this version does not know)
    // has no row in the table, so nothing can be checked against it.
    let from = current.status.filter(|s| targets(s).is_some());
    match (status, substatus) {
        (None, None) => Ok(()),
        (Some(to), _) => {
            let Some(subs) = substatuses_of(to) else {
                return Err(refuse("/status", format!("a referral cannot be moved to `{to}`")));
            };
            if let Some(from) = from {
                if !targets(from).is_some_and(|t| t.contains(&to)) {
                    let why = if from == "Closed" { " (Closed is final)" } else { "" };
                    return Err(refuse(
                        "/status",
                        format!("a `{from}` referral cannot move to `{to}`{why}"),
                    ));
                }
            }
            match substatus {
                Some(sub) if subs.contains(&sub) => Ok(()),
                Some(sub) => Err(refuse(
                    "/substatus",
                    format!("`{sub}` is not a substatus of `{to}`; one of: {}", subs.join(", ")),
                )),
                // The current substatus stays: fine when it belongs to the new status.
                None if from.is_some() && current.substatus.is_some_and(|s| subs.contains(&s)) => {
                    Ok(())
                }
                None => Err(refuse(
                    "/status",
                    format!("status `{to}` needs a substatus too; one of: {}", subs.join(", ")),
                )),
            }
        }
        (None, Some(sub)) => match from.and_then(substatuses_of) {
            Some(subs) if !subs.contains(&sub) => Err(refuse(
                "/substatus",
                format!(
                    "`{sub}` is not a substatus of the referral's status `{}`; one of: {} (or set `status` too)",
                    from.unwrap_or_default(),
                    subs.join(", ")
                ),
            )),
            _ => Ok(()),
        },
    }
}
