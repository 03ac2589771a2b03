//! stagecraft-llb
