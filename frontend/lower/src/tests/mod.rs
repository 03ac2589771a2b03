mod args;
mod graph;
mod metadata;
mod onbuild;
mod resolve;
