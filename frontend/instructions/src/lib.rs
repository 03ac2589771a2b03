//! stagecraft-instructions
