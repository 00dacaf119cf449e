//! What the shell and `man` know of certcheck, generated from the same
//! clap definition that parses the command line (so they cannot drift
//! from it): `certcheck completions SHELL` and `certcheck man`.

use std::io::Write;

/// The shells `certcheck completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl From<Shell> for clap_complete::Shell {
    fn from(s: Shell) -> Self {
        match s {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
            Shell::Elvish => clap_complete::Shell::Elvish,
        }
    }
}

/// Writes the completion script of `command` for `shell` to `out`.
pub fn completions<W: Write>(mut command: clap::Command, shell: Shell, mut out: W) -> u8 {
    let name = command.get_name().to_string();
    clap_complete::generate(
        clap_complete::Shell::from(shell),
        &mut command,
        name,
        &mut out,
    );
    let _ = out.flush();
    0
}

/// Writes the man page of `command` (roff, section 1) to `out`: the
/// command itself, then one section per subcommand with its options.
pub fn man_page<W: Write>(command: clap::Command, mut out: W) -> Result<u8, super::Failure> {
    let fail = |e: std::io::Error| super::Failure::with_status(2, format!("man page: {e}"));
    let mut command = command.disable_help_subcommand(true);
    // Gives every subcommand its full name ("certcheck ledger export").
    command.build();
    clap_mangen::Man::new(command.clone())
        .render(&mut out)
        .map_err(fail)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_subcommand(sub, &mut out).map_err(fail)?;
    }
    out.flush().map_err(fail)?;
    Ok(0)
}

/// A subcommand as a section of the one page (a clerk reads `man
/// certcheck`, not `man certcheck-verify`), its own subcommands after it.
fn render_subcommand<W: Write>(sub: &clap::Command, out: &mut W) -> std::io::Result<()> {
    let full = sub.get_bin_name().unwrap_or(sub.get_name());
    writeln!(out, ".SH \"{}\"", full.to_uppercase())?;
    let man = clap_mangen::Man::new(sub.clone());
    if let Some(about) = sub.get_long_about().or(sub.get_about()) {
        writeln!(out, "{}", roff_text(&about.to_string()))?;
    }
    writeln!(out, ".SS Synopsis")?;
    write!(
        out,
        "{}",
        nested_section(|b| man.render_synopsis_section(b))?
    )?;
    if sub.get_arguments().any(|a| !a.is_hide_set()) {
        writeln!(out, ".SS Options")?;
        write!(
            out,
            "{}",
            nested_section(|b| man.render_options_section(b))?
        )?;
    }
    for nested in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_subcommand(nested, out)?;
    }
    Ok(())
}

/// Text for a roff paragraph: a line starting with `.` or `'` would be a
/// request, and a backslash an escape.
fn roff_text(s: &str) -> String {
    s.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e");
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A section clap_mangen renders as a page of its own, nested under the
/// subcommand's heading: without its `.SH` heading and the string
/// definitions it repeats before each section.
fn nested_section(
    render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
) -> std::io::Result<String> {
    let mut buf = Vec::new();
    render(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    Ok(text
        .lines()
        .filter(|l| {
            !l.starts_with(".SH ") && !l.starts_with(".ie \\n(.g") && !l.starts_with(".el .ds Aq")
        })
        .map(|l| format!("{l}\n"))
        .collect())
}
