//! Prints the parameters of the built CLAP bundle (id hash, name, module, range).
use strata_tests::bundle_path;
use strata_tests::clap_host::ClapLibrary;
fn main() -> anyhow::Result<()> {
    let lib = ClapLibrary::load(&bundle_path("Strata.clap"))?;
    let plugin = lib.instantiate("org.strata.channel-strip")?;
    for p in plugin.params() {
        println!(
            "{:>10} {:<22} {:<12} [{}, {}] default {} flags {:#x}",
            p.id, p.name, p.module, p.min, p.max, p.default, p.flags
        );
    }
    Ok(())
}
