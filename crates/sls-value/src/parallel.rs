//! Two pieces of work at once, for the walks over very large configurations (the validation of
//! 20,000 functions, their JSON text): the machines this runs on have few cores, so the work is
//! split in two halves, never more.
//!
//! The second half runs on a scoped thread with the stack of the thread that runs a command
//! (the walks recurse once per level of the configuration); when no thread can be had (a
//! process limit, an address-space limit), it runs after the first, on the calling thread.

use std::sync::Mutex;

/// The stack of the threads that run a command (`sls-resolve` uses it) and of their helpers:
/// resolution recurses once per nested variable or chained reference, and the walks once per
/// level of the configuration.
pub const STACK_BYTES: usize = 32 << 20;

/// Runs `first` here and `second` on another thread, and returns both results. A panic in
/// `second` carries on in the caller.
pub fn join<A, B>(first: impl FnOnce() -> A, second: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    join_with(true, first, second)
}

/// [`join`]; without `spawn`, as when no thread can be had.
fn join_with<A, B>(
    spawn: bool,
    first: impl FnOnce() -> A,
    second: impl FnOnce() -> B + Send,
) -> (A, B)
where
    B: Send,
{
    let second = Mutex::new(Some(second));
    let (a, b) = std::thread::scope(|scope| {
        let spawned = if spawn {
            std::thread::Builder::new()
                .name("sls-resolve helper".into())
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, || {
                    let work = second.lock().map(|mut slot| slot.take());
                    work.ok().flatten().map(|work| work())
                })
        } else {
            Err(std::io::Error::other("no helper thread"))
        };
        let a = first();
        let b = match spawned {
            Ok(handle) => match handle.join() {
                Ok(b) => b,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => None,
        };
        (a, b)
    });
    let b = match b {
        Some(b) => b,
        None => {
            // The thread never started (or never took the work): run it here.
            let work = second.into_inner().ok().flatten();
            match work {
                Some(work) => work(),
                None => unreachable!("the work of a thread that ran is taken"),
            }
        }
    };
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_run_and_come_back_in_order() {
        let mut left = vec![1, 2];
        let mut right = vec![3, 4];
        let (a, b) = join(
            || {
                left.push(5);
                left.len()
            },
            || {
                right.push(6);
                right.iter().sum::<i32>()
            },
        );
        assert_eq!((a, b), (3, 13));
        assert_eq!(left, [1, 2, 5]);
        assert_eq!(right, [3, 4, 6]);
    }

    #[test]
    fn without_a_thread_the_halves_run_one_after_the_other() {
        let order = Mutex::new(Vec::new());
        let (a, b) = join_with(
            false,
            || {
                order.lock().unwrap().push("first");
                1
            },
            || {
                order.lock().unwrap().push("second");
                std::thread::current().id()
            },
        );
        assert_eq!(a, 1);
        assert_eq!(b, std::thread::current().id(), "on the caller's thread");
        assert_eq!(*order.lock().unwrap(), ["first", "second"]);
    }

    #[test]
    fn the_helper_is_another_thread() {
        let (_, helper) = join(|| (), || std::thread::current().id());
        assert_ne!(helper, std::thread::current().id());
    }

    #[test]
    fn a_panic_on_the_helper_thread_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| join(|| 1, || -> i32 { panic!("helper") }));
        assert!(caught.is_err());
    }
}
