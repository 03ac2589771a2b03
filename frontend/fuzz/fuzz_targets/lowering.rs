#![no_main]

use libfuzzer_sys::fuzz_target;

// Shaped Dockerfiles (keywords, flags, `${}` forms, heredocs, stage
// references) through parse, type, lower and marshal.
fuzz_target!(|data: &[u8]| {
    stagecraft_tests::shapes::exercise(data);
});
