//! stagecraft-shell
