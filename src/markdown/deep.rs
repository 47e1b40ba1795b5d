//! Running the recursive walks over a parsed body on a stack deep enough for it.
//!
//! Converting, verifying, serialising and even dropping the tree recurse once per nesting level.
//! Editor bodies nest a dozen levels; a hostile or broken one can nest thousands, which would
//! overflow the caller's stack and abort the process. Such trees are handled on a scoped thread
//! whose stack grows with the depth.

/// Nesting depth any caller's stack (even a 2 MiB test thread, unoptimised) handles.
const SHALLOW: usize = 128;

/// Stack per nesting level, generous for unoptimised builds.
const STACK_PER_LEVEL: usize = 16 * 1024;

/// Runs `work` (which should own the tree, so it is also dropped there) directly for shallow
/// trees and on a thread with a stack sized for `depth` otherwise.
pub(crate) fn run<T: Send>(depth: usize, work: impl FnOnce() -> T + Send) -> T {
    if depth <= SHALLOW {
        return work();
    }
    let stack = (1 << 20) + depth.saturating_mul(STACK_PER_LEVEL);
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("markdown-deep".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, work)
            .expect("a thread for a deeply nested body")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
