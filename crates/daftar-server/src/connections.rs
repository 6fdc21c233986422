//! How many connections the server holds open: at most so many in all, and so many per
//! client address, so that one client holding connections half-open cannot take every
//! file descriptor and leave nobody else (nor the health check) answered.
//!
//! A connection over a limit is closed as soon as it is accepted, rather than left
//! waiting in the kernel's queue: the accept loop keeps going, so other clients are
//! still let in.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Connections(Arc<Limits>);

#[derive(Debug)]
struct Limits {
    total: usize,
    /// 0: no limit per address.
    per_address: usize,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// A connection let in; dropping it gives its place back.
#[derive(Debug)]
pub struct Admitted {
    limits: Arc<Limits>,
    address: IpAddr,
}

impl Connections {
    pub fn new(total: usize, per_address: usize) -> Connections {
        Connections(Arc::new(Limits {
            total,
            per_address,
            open: Mutex::new(Open::default()),
        }))
    }

    /// A place for a connection from `address`, when the limits leave one.
    pub fn admit(&self, address: IpAddr) -> Option<Admitted> {
        let mut open = self.0.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.0.total {
            return None;
        }
        if self.0.per_address > 0 {
            let held = open.by_address.entry(address).or_default();
            if *held >= self.0.per_address {
                return None;
            }
            *held += 1;
        }
        open.total += 1;
        Some(Admitted {
            limits: self.0.clone(),
            address,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.0.open.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total -= 1;
        if self.limits.per_address > 0
            && let Some(held) = open.by_address.get_mut(&self.address)
        {
            *held -= 1;
            if *held == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_and_others_still_get_in() {
        let connections = Connections::new(10, 2);
        let one: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let first = connections.admit(one).unwrap();
        let _second = connections.admit(one).unwrap();
        assert!(connections.admit(one).is_none());
        assert!(connections.admit(other).is_some());
        drop(first);
        assert!(connections.admit(one).is_some());
    }

    #[test]
    fn the_total_is_a_ceiling_for_everyone() {
        let connections = Connections::new(2, 0);
        let held: Vec<_> = (1..=2)
            .map(|i| connections.admit(IpAddr::from([10, 0, 0, i])).unwrap())
            .collect();
        assert!(connections.admit(IpAddr::from([10, 0, 0, 3])).is_none());
        drop(held);
        assert_eq!(connections.open(), 0);
    }
}
