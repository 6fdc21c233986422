//! A state's checklist (docs/WORKFLOWS.md): what the unit working a state ticks, one item
//! at a time and each by a named person, before the case may move on; an action needing
//! `checklist_done` is refused while an item of the case's state is open, naming it. An
//! item may need a document with its tick (the signed commitments), and an item settled
//! by the case's fee bills is ticked by their payment alone.

use crate::text::Text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub id: String,
    pub name: Text,
    /// The state whose work it is.
    pub state: String,
    /// A document goes with its tick.
    pub document: bool,
    /// Done when the case's fee bills are issued and every one is paid; nobody ticks it.
    pub settled_by_fees: bool,
}

/// What is done of a case's checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecklistProgress<'a> {
    /// The ids of the items ticked.
    pub ticked: &'a [&'a str],
    /// The case's fee bills are issued and all paid.
    pub fees_paid: bool,
}

impl ChecklistItem {
    pub fn is_done(&self, progress: ChecklistProgress<'_>) -> bool {
        if self.settled_by_fees {
            progress.fees_paid
        } else {
            progress.ticked.contains(&self.id.as_str())
        }
    }
}

/// The items of `state` not done yet, in the definition's order.
pub fn open_items<'a>(
    items: &'a [ChecklistItem],
    state: &str,
    progress: ChecklistProgress<'_>,
) -> Vec<&'a ChecklistItem> {
    items
        .iter()
        .filter(|item| item.state == state && !item.is_done(progress))
        .collect()
}
