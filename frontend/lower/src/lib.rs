//! stagecraft-lower
