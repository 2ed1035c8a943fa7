pub use engine as _e;
