//! The process's allocator: mimalloc, tuned for a short-lived process whose
//! peak memory is what counts.
//!
//! Lowering makes and drops many small strings and vectors; mimalloc serves
//! them with a fraction of the system allocator's work, and static binaries
//! get the same allocator whatever libc they link.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{mi_option_set, mi_option_t};

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

/// mimalloc, asked for plain blocks when the alignment is one every block
/// of that size has anyway (as Rust's own `System` does with malloc): the
/// `mimalloc` crate's allocator always takes mimalloc's aligned path, a few
/// dozen instructions more per allocation, and lowering allocates a lot.
struct Allocator;

/// The alignment mimalloc gives every block of at least this size
/// (`MI_MAX_ALIGN_SIZE`, the alignment of `max_align_t`); smaller blocks
/// are aligned to their size class.
const PLAIN_ALIGN: usize = 16;

fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

// SAFETY: every pointer comes from mimalloc and goes back to it; the plain
// functions are used only where their blocks meet the layout's alignment,
// the aligned ones otherwise, and mi_free takes either.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            // SAFETY: a size mimalloc serves with at least that alignment.
            unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
        } else {
            // SAFETY: as above, with the alignment asked for explicitly.
            unsafe { libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast() }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            // SAFETY: as in `alloc`.
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
        } else {
            // SAFETY: as in `alloc`.
            unsafe { libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast() }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from one of the functions above.
        unsafe { libmimalloc_sys::mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(layout.align(), new_size) {
            // SAFETY: `ptr` came from mimalloc; the new size is served with
            // at least the layout's alignment.
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast::<c_void>(), new_size).cast() }
        } else {
            // SAFETY: as above, with the alignment asked for explicitly.
            unsafe {
                libmimalloc_sys::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align())
                    .cast()
            }
        }
    }
}

// Option numbers of mimalloc v3's `mi_option_e` (the sys crate names only
// the ones v2 shares).
/// Commit arena memory as pages are used, not all at once.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
/// Milliseconds before freed pages go back to the system.
const PURGE_DELAY: mi_option_t = 15;

/// The tuning has to be in place before the first allocation: mimalloc
/// reserves its first arena then, and the Rust runtime allocates before
/// `main`. The ELF loader calls every `.init_array` entry before it starts
/// the program, so the options are set from there.
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_AT_LOAD: extern "C" fn() = tune;

/// Committing arena memory lazily and returning freed pages after 50 ms
/// cost a lowering of thousands of ops about a third less peak memory than
/// mimalloc's defaults (which keep freed pages for a second and commit the
/// first arena eagerly). Returning them at once saves a few per cent more
/// memory but faults the same pages back in as lowering reuses them: for
/// 2,000 stages, 17,000 page faults and 48.2 MiB at 0 ms against 13,500 and
/// 49.5 MiB at 50 ms. An option set in the environment
/// (`MIMALLOC_PURGE_DELAY`, `MIMALLOC_ARENA_EAGER_COMMIT`) is left to
/// mimalloc, for measuring other settings without a rebuild.
extern "C" fn tune() {
    set_unless_in_env(ARENA_EAGER_COMMIT, c"MIMALLOC_ARENA_EAGER_COMMIT", 0);
    set_unless_in_env(PURGE_DELAY, c"MIMALLOC_PURGE_DELAY", 50);
}

fn set_unless_in_env(option: mi_option_t, name: &std::ffi::CStr, value: std::ffi::c_long) {
    // getenv, not std::env: this runs before the runtime and must not
    // allocate (the first allocation would reserve the arena untuned).
    // SAFETY: `name` is NUL-terminated; nothing else runs yet to change the
    // environment.
    let set = unsafe { !libc::getenv(name.as_ptr()).is_null() };
    if !set {
        // SAFETY: mi_option_set only stores a value in mimalloc's option
        // table (marking it initialised, so mimalloc does not read the
        // environment for it later).
        unsafe { mi_option_set(option, value) };
    }
}

/// Ends a run whose work is done (a CLI command, or a frontend session after
/// `Return`): flushes stdout and exits without the exit-time destructors.
/// mimalloc's walks every page of the heap to free it (a few per cent of
/// converting thousands of ops) for a process that is about to give all its
/// memory back anyway.
pub fn exit_now(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // SAFETY: _exit ends the process; stdout is flushed and nothing else
    // holds buffered output (stderr is unbuffered).
    unsafe { libc::_exit(code) }
}
