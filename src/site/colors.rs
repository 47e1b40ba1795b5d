//! Colours: reading CSS colour values, and WCAG 2 contrast between them.
//!
//! Used for the colours that come from outside the theme: the accent colour of the branding
//! settings, and the inline colours of article bodies (Intercom's light table cells and
//! callouts), so that both stay readable in light and dark mode.

use std::fmt;

/// An sRGB colour with alpha (0.0 transparent to 1.0 opaque).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgba {
    /// Red, 0 to 255.
    pub r: u8,
    /// Green, 0 to 255.
    pub g: u8,
    /// Blue, 0 to 255.
    pub b: u8,
    /// Opacity, 0.0 to 1.0.
    pub a: f64,
}

/// The contrast ratio WCAG 2 level AA asks of body text.
pub const AA_TEXT: f64 = 4.5;

/// Text on light backgrounds (the light theme's `--fg`).
pub const DARK_INK: Rgba = Rgba::opaque(0x1c, 0x1e, 0x21);
/// Text on dark backgrounds.
pub const LIGHT_INK: Rgba = Rgba::opaque(0xf5, 0xf6, 0xf8);
/// The page background of the light theme (`--bg`).
pub const LIGHT_PAGE: Rgba = Rgba::opaque(0xff, 0xff, 0xff);
/// The page background of the dark theme (`--bg`).
pub const DARK_PAGE: Rgba = Rgba::opaque(0x15, 0x17, 0x1a);

impl Rgba {
    /// A colour without transparency.
    pub const fn opaque(r: u8, g: u8, b: u8) -> Rgba {
        Rgba { r, g, b, a: 1.0 }
    }

    /// Parses a CSS colour: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` (comma or
    /// space syntax, numbers or percentages), `hsl()`/`hsla()`, `transparent` and the basic
    /// named colours. `None` for anything else (such a value is left alone).
    pub fn parse(value: &str) -> Option<Rgba> {
        let value = value.trim();
        if let Some(hex) = value.strip_prefix('#') {
            return parse_hex(hex);
        }
        let lower = value.to_ascii_lowercase();
        if let Some((name, args)) = lower.split_once('(') {
            let args = args.strip_suffix(')')?;
            return match name.trim() {
                "rgb" | "rgba" => parse_rgb(args),
                "hsl" | "hsla" => parse_hsl(args),
                _ => None,
            };
        }
        named(&lower)
    }

    /// Whether it hides what is behind it.
    pub fn is_opaque(&self) -> bool {
        self.a >= 1.0
    }

    /// This colour painted over `below` (which is taken as opaque).
    pub fn over(&self, below: Rgba) -> Rgba {
        let mix = |top: u8, bottom: u8| {
            let value = f64::from(top) * self.a + f64::from(bottom) * (1.0 - self.a);
            value.round().clamp(0.0, 255.0) as u8
        };
        Rgba::opaque(
            mix(self.r, below.r),
            mix(self.g, below.g),
            mix(self.b, below.b),
        )
    }

    /// WCAG 2 relative luminance of the (opaque) colour.
    pub fn luminance(&self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }

    /// WCAG 2 contrast ratio with `other`, 1.0 to 21.0.
    pub fn contrast(&self, other: Rgba) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// The text colour that reads best on this background: [`DARK_INK`] or [`LIGHT_INK`].
    pub fn ink(&self) -> Rgba {
        if self.contrast(DARK_INK) >= self.contrast(LIGHT_INK) {
            DARK_INK
        } else {
            LIGHT_INK
        }
    }

    /// This colour made darker (`amount` < 0) or lighter (`amount` > 0), step by step, until it
    /// has `ratio` contrast with `background`; `None` if even black or white does not.
    pub fn adjusted_for(&self, background: Rgba, ratio: f64) -> Option<Rgba> {
        let target = if background.luminance() > 0.18 {
            Rgba::opaque(0, 0, 0)
        } else {
            Rgba::opaque(255, 255, 255)
        };
        (0..=100).map(|step| f64::from(step) / 100.0).find_map(|t| {
            let mixed = Rgba { a: t, ..target }.over(*self);
            (mixed.contrast(background) >= ratio).then_some(mixed)
        })
    }
}

impl fmt::Display for Rgba {
    /// `#rrggbb`, or `#rrggbbaa` when not opaque.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)?;
        if !self.is_opaque() {
            write!(f, "{:02x}", (self.a * 255.0).round() as u8)?;
        }
        Ok(())
    }
}

fn parse_hex(hex: &str) -> Option<Rgba> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok();
    let pair = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    let (r, g, b, a) = match hex.len() {
        3 | 4 => {
            let short = |i: usize| digit(i).map(|d| d * 17);
            let a = if hex.len() == 4 { short(3)? } else { 255 };
            (short(0)?, short(1)?, short(2)?, a)
        }
        6 | 8 => {
            let a = if hex.len() == 8 { pair(6)? } else { 255 };
            (pair(0)?, pair(2)?, pair(4)?, a)
        }
        _ => return None,
    };
    Some(Rgba {
        r,
        g,
        b,
        a: f64::from(a) / 255.0,
    })
}

/// The arguments of a colour function: three components and an optional alpha, separated by
/// commas or by spaces with `/` before the alpha.
fn components(args: &str) -> Option<(Vec<&str>, Option<&str>)> {
    let (main, alpha) = match args.split_once('/') {
        Some((main, alpha)) => (main, Some(alpha.trim())),
        None => (args, None),
    };
    let parts: Vec<&str> = main
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    match (parts.len(), alpha) {
        (3, alpha) => Some((parts, alpha)),
        (4, None) => Some((parts[..3].to_vec(), Some(parts[3]))),
        _ => None,
    }
}

/// A number, or a percentage of `full`.
fn number(text: &str, full: f64) -> Option<f64> {
    match text.strip_suffix('%') {
        Some(percent) => percent.parse::<f64>().ok().map(|p| p / 100.0 * full),
        None => text.parse::<f64>().ok(),
    }
    .filter(|n| n.is_finite())
}

fn alpha(text: Option<&str>) -> Option<f64> {
    match text {
        None => Some(1.0),
        Some(a) => number(a, 1.0).map(|a| a.clamp(0.0, 1.0)),
    }
}

fn parse_rgb(args: &str) -> Option<Rgba> {
    let (parts, a) = components(args)?;
    let channel = |text: &str| number(text, 255.0).map(|v| v.round().clamp(0.0, 255.0) as u8);
    Some(Rgba {
        r: channel(parts[0])?,
        g: channel(parts[1])?,
        b: channel(parts[2])?,
        a: alpha(a)?,
    })
}

fn parse_hsl(args: &str) -> Option<Rgba> {
    let (parts, a) = components(args)?;
    let hue = number(parts[0].trim_end_matches("deg"), 360.0)?.rem_euclid(360.0);
    let saturation = number(parts[1], 1.0)?.clamp(0.0, 1.0);
    let lightness = number(parts[2], 1.0)?.clamp(0.0, 1.0);
    // CSS Color 4's hsl-to-rgb.
    let f = |n: f64| {
        let k = (n + hue / 30.0) % 12.0;
        let chroma = saturation * lightness.min(1.0 - lightness);
        let value = lightness - chroma * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0);
        (value * 255.0).round().clamp(0.0, 255.0) as u8
    };
    Some(Rgba {
        r: f(0.0),
        g: f(8.0),
        b: f(4.0),
        a: alpha(a)?,
    })
}

fn named(name: &str) -> Option<Rgba> {
    let rgb = match name {
        "transparent" => {
            return Some(Rgba {
                a: 0.0,
                ..Rgba::opaque(0, 0, 0)
            })
        }
        "white" => (255, 255, 255),
        "black" => (0, 0, 0),
        "red" => (255, 0, 0),
        "green" => (0, 128, 0),
        "blue" => (0, 0, 255),
        "yellow" => (255, 255, 0),
        "orange" => (255, 165, 0),
        "gray" | "grey" => (128, 128, 128),
        "silver" => (192, 192, 192),
        "navy" => (0, 0, 128),
        "purple" => (128, 0, 128),
        "teal" => (0, 128, 128),
        "maroon" => (128, 0, 0),
        "olive" => (128, 128, 0),
        "lime" => (0, 255, 0),
        "aqua" | "cyan" => (0, 255, 255),
        "fuchsia" | "magenta" => (255, 0, 255),
        _ => return None,
    };
    Some(Rgba::opaque(rgb.0, rgb.1, rgb.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Rgba {
        Rgba::parse(value).unwrap_or_else(|| panic!("{value} not parsed"))
    }

    #[test]
    fn reads_the_colour_syntaxes_intercom_and_writers_use() {
        assert_eq!(parse("#e3e7fa"), Rgba::opaque(0xe3, 0xe7, 0xfa));
        assert_eq!(parse("#FFF"), Rgba::opaque(255, 255, 255));
        assert_eq!(parse("#feedaf80").to_string(), "#feedaf80");
        assert_eq!(parse("rgb(227, 231, 250)"), Rgba::opaque(227, 231, 250));
        assert_eq!(parse("rgb(100% 0% 0% / 50%)").to_string(), "#ff000080");
        assert_eq!(parse("RGBA(0,0,0,0.5)").a, 0.5);
        assert_eq!(parse("hsl(0, 100%, 50%)"), Rgba::opaque(255, 0, 0));
        assert_eq!(parse("hsl(120deg 100% 25%)"), Rgba::opaque(0, 128, 0));
        assert_eq!(parse("white"), Rgba::opaque(255, 255, 255));
        assert_eq!(parse("transparent").a, 0.0);
        for bad in [
            "", "#12", "#ggg", "rgb(1,2)", "var(--x)", "inherit", "url(x)",
        ] {
            assert_eq!(Rgba::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_follows_wcag() {
        let white = Rgba::opaque(255, 255, 255);
        let black = Rgba::opaque(0, 0, 0);
        assert!((white.contrast(black) - 21.0).abs() < 1e-9);
        assert!((white.contrast(white) - 1.0).abs() < 1e-9);
        // #767676 is the classic lightest grey that passes AA on white.
        assert!(parse("#767676").contrast(white) >= AA_TEXT);
        assert!(parse("#777777").contrast(white) < AA_TEXT);
        // Intercom's light cell: the dark theme's text fails on it, dark ink passes.
        let cell = parse("#e3e7fa");
        assert!(parse("#e6e8eb").contrast(cell) < 1.5);
        assert_eq!(cell.ink(), DARK_INK);
        assert_eq!(parse("#333333").ink(), LIGHT_INK);
    }

    #[test]
    fn translucent_colours_are_painted_over_what_is_below() {
        let half_yellow = parse("#feedaf80");
        assert_eq!(half_yellow.over(LIGHT_PAGE).to_string(), "#fef6d7");
        assert!(half_yellow.over(LIGHT_PAGE).is_opaque());
    }

    #[test]
    fn accents_are_adjusted_until_they_pass() {
        let pale = parse("#7fb0ff");
        assert!(pale.contrast(LIGHT_PAGE) < AA_TEXT);
        let darker = pale.adjusted_for(LIGHT_PAGE, AA_TEXT).unwrap();
        assert!(darker.contrast(LIGHT_PAGE) >= AA_TEXT);
        let deep = parse("#1f5fcc");
        assert_eq!(deep.adjusted_for(LIGHT_PAGE, AA_TEXT), Some(deep));
        let lighter = deep.adjusted_for(DARK_PAGE, AA_TEXT).unwrap();
        assert!(lighter.contrast(DARK_PAGE) >= AA_TEXT);
    }
}
