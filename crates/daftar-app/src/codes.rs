//! Where the random numbers behind tracking and clearance codes come from.
//!
//! A code is eleven random digits: a collision with an earlier code is rare, but with
//! 10¹¹ codes one is more likely than not after about 370,000 of them (the birthday
//! bound), so a use case draws again when the store refuses a code as taken. Tests
//! replace the draw to make two collide.

use std::sync::Arc;

/// How many codes a use case draws before it gives up. Four taken codes in a row mean
/// something other than chance is wrong.
pub const CODE_DRAWS: usize = 4;

/// A source of random numbers for codes; by default the thread's random generator.
#[derive(Clone)]
pub struct RandomCodes(Arc<dyn Fn() -> u64 + Send + Sync>);

impl RandomCodes {
    /// Draws from `draw` instead of the random generator.
    pub fn from_fn(draw: impl Fn() -> u64 + Send + Sync + 'static) -> RandomCodes {
        RandomCodes(Arc::new(draw))
    }

    pub fn draw(&self) -> u64 {
        (self.0)()
    }
}

impl Default for RandomCodes {
    fn default() -> RandomCodes {
        RandomCodes::from_fn(rand::random::<u64>)
    }
}

impl std::fmt::Debug for RandomCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RandomCodes")
    }
}
