//! Workflows as data: how a case moves from unit to unit, decided here, with no I/O.
//!
//! A [`Definition`] (one TOML file under `workflows/`, documented in docs/WORKFLOWS.md) has
//! states, each owned by a role, by the applicant, by parallel branches or by nobody (a
//! terminal state), and actions that move a case between them. [`Definition::load`] checks
//! it: every state reachable, every role known, a terminal state reachable from everywhere.
//!
//! A case's [`Position`] is its state plus what the engine must remember there: the
//! decisions of parallel branches, and where a file returned to its applicant goes back to.
//! [`Definition::decide`] takes a position, an actor and an attempted action, and answers
//! the next position or why not; [`Definition::available`] lists what an actor may do now
//! and [`Definition::tasks`] who may act, for work queues.
//!
//! A case keeps the version it started under: the [`Registry`] holds every version.

mod builtin;
pub mod checklist;
mod definition;
mod engine;
mod fields;
mod load;

pub use builtin::{built_in, built_in_files};
pub use definition::{
    Action, ActionKind, ActorRef, Branch, Decision, Definition, Effect, Outcome, Owner, RoleRef,
    State, Work,
};
pub use engine::{Attempt, Move, Position, Refusal, Task, WorkflowActor};
pub use fields::{Editor, FieldChange, action_field_kind, apply_fields};
pub use load::{Registry, WorkflowError};

#[cfg(test)]
mod tests;
