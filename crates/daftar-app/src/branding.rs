//! Who the pages and the printed documents say they are: the municipality named by the
//! configuration, in both languages, and its emblem (an SVG or PNG file, or Daftar's own).

use anyhow::Context;
use daftar_core::text::Lang;

use crate::Config;

/// Daftar's own emblem, for a municipality that names none.
const DEFAULT_EMBLEM: &[u8] = include_bytes!("../assets/emblem.svg");

#[derive(Debug, Clone)]
pub struct Branding {
    pub municipality_fa: String,
    pub municipality_en: String,
    pub emblem: Vec<u8>,
    pub emblem_type: &'static str,
}

impl Branding {
    pub fn from_config(config: &Config) -> anyhow::Result<Branding> {
        let (emblem, emblem_type) = match &config.emblem {
            None => {
                return Ok(Branding::named(
                    config.municipality_fa.trim(),
                    config.municipality_en.trim(),
                ));
            }
            Some(path) => {
                let kind = match path.extension().and_then(|e| e.to_str()) {
                    Some(e) if e.eq_ignore_ascii_case("svg") => "image/svg+xml",
                    Some(e) if e.eq_ignore_ascii_case("png") => "image/png",
                    _ => anyhow::bail!("the emblem {} is not an .svg or .png file", path.display()),
                };
                let bytes = std::fs::read(path)
                    .with_context(|| format!("could not read the emblem {}", path.display()))?;
                (bytes, kind)
            }
        };
        Ok(Branding {
            municipality_fa: config.municipality_fa.trim().to_owned(),
            municipality_en: config.municipality_en.trim().to_owned(),
            emblem,
            emblem_type,
        })
    }

    /// A municipality named so, with Daftar's emblem.
    pub fn named(municipality_fa: &str, municipality_en: &str) -> Branding {
        Branding {
            municipality_fa: municipality_fa.to_owned(),
            municipality_en: municipality_en.to_owned(),
            emblem: DEFAULT_EMBLEM.to_vec(),
            emblem_type: "image/svg+xml",
        }
    }

    /// The municipality's name in `lang`.
    pub fn municipality(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fa => &self.municipality_fa,
            Lang::En => &self.municipality_en,
        }
    }

    /// The emblem's file extension, as a typesetter names an image's format.
    pub fn emblem_extension(&self) -> &'static str {
        if self.emblem_type == "image/png" {
            "png"
        } else {
            "svg"
        }
    }
}
