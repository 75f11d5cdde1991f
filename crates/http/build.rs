//! The web files are built into the binary (`include_dir!`); rebuild when any changes.
fn main() {
    println!("cargo:rerun-if-changed=../../web");
}
