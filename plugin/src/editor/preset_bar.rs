//! The preset bar in the header: previous and next, the loaded preset's name — with a "*"
//! once any setting differs from it — and a menu of every preset (factory and the user's) by
//! category, ending in "Save as…" (a user preset of the current settings) and, while a user
//! preset is loaded, "Save" (over it, on purpose), "Rename…" and "Delete…". A preset is loaded
//! whole through the host's state mechanism (`GuiContext::set_state`), which applies it
//! between two blocks: never half-applied, gliding there.

use egui::{RichText, Ui};
use nice_plug::plugin::ParamValue;
use nice_plug::prelude::{ParamSetter, PluginState};
use strata_ui::theme;

use crate::params::StrataParams;
use crate::presets::{self, Preset, factory, user};

/// Parameters that are not part of a sound: they never make a preset "modified".
const NOT_SOUND: [&str; 2] = ["bypass", "meter_reset"];

/// The presets the bar offers and the one loaded last.
pub struct PresetBrowser {
    /// The user's preset folder (`None`: factory presets only).
    pub user_dir: Option<std::path::PathBuf>,
    list: Vec<Preset>,
    /// The file of each user preset in `list` (by name: user preset names are their files').
    files: Vec<(String, std::path::PathBuf)>,
    /// The preset loaded last and the state it loaded (kept: making it takes a scratch
    /// parameter tree, and `modified` compares with it every frame).
    loaded: Option<(Preset, PluginState)>,
    /// The dialog open, if any.
    dialog: Option<Dialog>,
}

/// A dialog of the preset bar: what it does, the name typed so far and, after a refused try,
/// why.
struct Dialog {
    kind: DialogKind,
    name: String,
    problem: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum DialogKind {
    SaveAs,
    Rename,
    Delete,
}

impl Default for PresetBrowser {
    fn default() -> Self {
        PresetBrowser {
            user_dir: user::dir(),
            list: Vec::new(),
            files: Vec::new(),
            loaded: None,
            dialog: None,
        }
    }
}

impl PresetBrowser {
    /// Read the presets again: the factory's, then the user's folder (files that cannot be
    /// read are left out; the standalone's `--list-presets` names them).
    pub fn refresh(&mut self) {
        self.list = factory::all();
        self.files.clear();
        if let Some(dir) = &self.user_dir {
            for (file, preset) in user::list(dir).0 {
                self.files.push((preset.name.clone(), file));
                self.list.push(preset);
            }
        }
    }

    pub fn list(&self) -> &[Preset] {
        &self.list
    }

    pub fn loaded_preset(&self) -> Option<&Preset> {
        self.loaded.as_ref().map(|(p, _)| p)
    }

    /// Where the loaded preset is in the list.
    fn loaded_index(&self) -> Option<usize> {
        let loaded = self.loaded_preset()?;
        self.list.iter().position(|p| p == loaded)
    }

    /// Ask the host to load preset `index`.
    fn load(&mut self, index: usize, setter: &ParamSetter) {
        let Some(preset) = self.list.get(index) else {
            return;
        };
        // Factory and listed user presets were checked when read: this does not fail.
        if let Ok(state) = preset.to_state() {
            setter.raw_context.set_state(state.clone());
            self.loaded = Some((preset.clone(), state));
        }
    }

    /// Whether the current settings differ from the loaded preset's.
    pub fn modified(&self, params: &StrataParams) -> bool {
        self.loaded
            .as_ref()
            .is_some_and(|(_, loaded)| differs(loaded, &presets::capture(params)))
    }

    /// Save the current settings as a user preset called `name`; it becomes the loaded one.
    /// A name already taken by a user preset, or no user folder, is refused (nothing is
    /// overwritten).
    fn save_as(&mut self, name: &str, params: &StrataParams) -> Result<(), String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("type a name".into());
        }
        let dir = self
            .user_dir
            .clone()
            .ok_or("no folder for user presets (HOME is not set)")?;
        let path = user::file_for(&dir, name);
        if path.exists() {
            return Err(format!("'{name}' exists already: choose another name"));
        }
        let state = presets::capture(params);
        let preset = Preset::from_state(name, "User", &state);
        user::save(&dir, &preset)?;
        self.refresh();
        self.loaded = Some((preset, state));
        Ok(())
    }

    /// The loaded preset's file, if it is a user preset.
    fn loaded_file(&self) -> Option<std::path::PathBuf> {
        let loaded = self.loaded_preset().filter(|p| p.category == "User")?;
        self.files
            .iter()
            .find(|(name, _)| *name == loaded.name)
            .map(|(_, file)| file.clone())
    }

    /// Write the current settings over the loaded user preset.
    fn save_over(&mut self, params: &StrataParams) -> Result<(), String> {
        let (Some(file), Some(loaded)) = (self.loaded_file(), self.loaded_preset()) else {
            return Err("no user preset is loaded".into());
        };
        let state = presets::capture(params);
        let preset = Preset::from_state(&loaded.name, "User", &state);
        user::write(&file, &preset)?;
        self.refresh();
        self.loaded = Some((preset, state));
        Ok(())
    }

    /// Give the loaded user preset a new name (a new file; the old one goes).
    fn rename(&mut self, name: &str) -> Result<(), String> {
        let name = name.trim();
        let (Some(old_file), Some((preset, state)), Some(dir)) = (
            self.loaded_file(),
            self.loaded.clone(),
            self.user_dir.clone(),
        ) else {
            return Err("no user preset is loaded".into());
        };
        if name.is_empty() {
            return Err("type a name".into());
        }
        let new_file = user::file_for(&dir, name);
        if new_file.exists() && new_file != old_file {
            return Err(format!("'{name}' exists already: choose another name"));
        }
        let renamed = Preset {
            name: name.to_string(),
            ..preset
        };
        user::write(&new_file, &renamed)?;
        if new_file != old_file {
            user::delete(&old_file)?;
        }
        self.refresh();
        self.loaded = Some((renamed, state));
        Ok(())
    }

    /// Delete the loaded user preset's file; the settings stay as they are.
    fn delete(&mut self) -> Result<(), String> {
        let file = self.loaded_file().ok_or("no user preset is loaded")?;
        user::delete(&file)?;
        self.refresh();
        self.loaded = None;
        Ok(())
    }

    /// With nothing loaded from the bar yet, the preset the settings are (one loaded before
    /// the editor opened, e.g. the standalone's `--preset`), if any.
    fn recognise(&mut self, params: &StrataParams) {
        if self.loaded.is_some() {
            return;
        }
        let now = presets::capture(params);
        self.loaded = self.list.iter().find_map(|p| {
            let state = p.to_state().ok()?;
            (!differs(&state, &now)).then(|| (p.clone(), state))
        });
    }
}

/// Whether `now` differs from `loaded` in anything that is part of the sound.
fn differs(loaded: &PluginState, now: &PluginState) -> bool {
    loaded.params.iter().any(|(id, want)| {
        if NOT_SOUND.contains(&id.as_str()) {
            return false;
        }
        match (want, now.params.get(id)) {
            (ParamValue::F32(a), Some(ParamValue::F32(b))) => {
                (a - b).abs() > 1e-4 * a.abs().max(1.0)
            }
            (a, Some(b)) => format!("{a:?}") != format!("{b:?}"),
            (_, None) => true,
        }
    })
}

/// The bar: < > and the menu, showing the loaded preset's name.
pub fn show(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, browser: &mut PresetBrowser) {
    if browser.list.is_empty() {
        browser.refresh();
        browser.recognise(params);
    }
    let count = browser.list.len();
    let current = browser.loaded_index();
    let step = |delta: isize| -> usize {
        match current {
            Some(i) => (i as isize + delta).rem_euclid(count as isize) as usize,
            None if delta > 0 => 0,
            None => count - 1,
        }
    };
    if ui
        .button(RichText::new("<").size(11.0))
        .on_hover_text("Previous preset")
        .clicked()
    {
        browser.load(step(-1), setter);
    }
    if ui
        .button(RichText::new(">").size(11.0))
        .on_hover_text("Next preset")
        .clicked()
    {
        browser.load(step(1), setter);
    }
    let label = match browser.loaded_preset() {
        Some(p) if browser.modified(params) => format!("{} *", p.name),
        Some(p) => p.name.clone(),
        None => "Presets".to_string(),
    };
    let mut picked = None;
    let mut saving_over = false;
    let mut opened = None;
    let user_loaded = browser
        .loaded_file()
        .and(browser.loaded_preset().map(|p| p.name.clone()));
    let menu = ui.menu_button(RichText::new(label).size(11.0).color(theme::TEXT), |ui| {
        let categories = factory::CATEGORIES.iter().copied().chain(["User"]);
        for category in categories {
            let members: Vec<(usize, &Preset)> = browser
                .list
                .iter()
                .enumerate()
                .filter(|(_, p)| p.category == category)
                .collect();
            if members.is_empty() {
                continue;
            }
            ui.menu_button(category, |ui| {
                for (i, p) in members {
                    if ui.button(&p.name).clicked() {
                        picked = Some(i);
                        ui.close();
                    }
                }
            });
        }
        ui.separator();
        let mut open = |kind, name: String| opened = Some((kind, name));
        if ui.button("Save as…").clicked() {
            open(DialogKind::SaveAs, String::new());
            ui.close();
        }
        if let Some(name) = user_loaded {
            if ui.button(format!("Save over '{name}'")).clicked() {
                saving_over = true;
                ui.close();
            }
            if ui.button("Rename…").clicked() {
                open(DialogKind::Rename, name.clone());
                ui.close();
            }
            if ui.button("Delete…").clicked() {
                open(DialogKind::Delete, name);
                ui.close();
            }
        }
    });
    menu.response.on_hover_text(
        "Load a preset (factory and yours, by category); * means a setting differs from it",
    );
    if let Some(i) = picked {
        browser.load(i, setter);
    }
    if let Some((kind, name)) = opened {
        browser.dialog = Some(Dialog {
            kind,
            name,
            problem: None,
        });
    }
    if saving_over {
        // A failure here is a file that could not be written: say so where the user looks.
        if let Err(problem) = browser.save_over(params) {
            browser.dialog = Some(Dialog {
                kind: DialogKind::SaveAs,
                name: String::new(),
                problem: Some(problem),
            });
        }
    }
    dialog_window(ui, params, browser);
}

/// The open dialog: a name and Save / Rename (Enter), or the question whether to delete;
/// Cancel (Escape). A refusal says why in it, and the dialog stays.
fn dialog_window(ui: &Ui, params: &StrataParams, browser: &mut PresetBrowser) {
    let Some(mut dialog) = browser.dialog.take() else {
        return;
    };
    let (title, action) = match dialog.kind {
        DialogKind::SaveAs => ("Save preset", "Save"),
        DialogKind::Rename => ("Rename preset", "Rename"),
        DialogKind::Delete => ("Delete preset", "Delete"),
    };
    let mut close = false;
    let mut confirm = false;
    egui::Window::new(title)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_TOP, egui::Vec2::new(0.0, 60.0))
        .show(ui.ctx(), |ui| {
            if dialog.kind == DialogKind::Delete {
                ui.label(
                    RichText::new(format!(
                        "Delete the preset '{}'? Its file goes; the settings stay.",
                        dialog.name
                    ))
                    .size(12.0)
                    .color(theme::TEXT),
                );
            } else {
                ui.label(RichText::new("Name").size(11.0).color(theme::TEXT_DIM));
                let field =
                    ui.add(egui::TextEdit::singleline(&mut dialog.name).desired_width(220.0));
                field.request_focus();
            }
            if let Some(problem) = &dialog.problem {
                ui.label(RichText::new(problem).size(11.0).color(theme::CLIP));
            }
            let (enter, escape) = ui.input(|i| {
                (
                    i.key_pressed(egui::Key::Enter),
                    i.key_pressed(egui::Key::Escape),
                )
            });
            ui.horizontal(|ui| {
                confirm = ui.button(action).clicked() || enter;
                close = ui.button("Cancel").clicked() || escape;
            });
        });
    if confirm {
        let done = match dialog.kind {
            DialogKind::SaveAs => browser.save_as(&dialog.name, params),
            DialogKind::Rename => browser.rename(&dialog.name),
            DialogKind::Delete => browser.delete(),
        };
        match done {
            Ok(()) => close = true,
            Err(problem) => dialog.problem = Some(problem),
        }
    }
    if !close {
        browser.dialog = Some(dialog);
    }
}
