//! The preset bar in the header: previous and next, the loaded preset's name — with a "*"
//! once any setting differs from it — and a menu of every preset (factory and the user's) by
//! category, ending in "Save as…" (a user preset of the current settings). A preset is loaded
//! whole through the host's state mechanism
//! (`GuiContext::set_state`), which applies it between two blocks: never half-applied.

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
    /// The preset loaded last and the state it loaded (kept: making it takes a scratch
    /// parameter tree, and `modified` compares with it every frame).
    loaded: Option<(Preset, PluginState)>,
    /// "Save as" open: the name typed so far and, after a refused try, why.
    saving: Option<(String, Option<String>)>,
}

impl Default for PresetBrowser {
    fn default() -> Self {
        PresetBrowser {
            user_dir: user::dir(),
            list: Vec::new(),
            loaded: None,
            saving: None,
        }
    }
}

impl PresetBrowser {
    /// Read the presets again: the factory's, then the user's folder (files that cannot be
    /// read are left out; the standalone's `--list-presets` names them).
    pub fn refresh(&mut self) {
        self.list = factory::all();
        if let Some(dir) = &self.user_dir {
            self.list
                .extend(user::list(dir).0.into_iter().map(|(_, p)| p));
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
        if ui.button("Save as…").clicked() {
            browser.saving = Some((String::new(), None));
            ui.close();
        }
    });
    menu.response.on_hover_text(
        "Load a preset (factory and yours, by category); * means a setting differs from it",
    );
    if let Some(i) = picked {
        browser.load(i, setter);
    }
    save_window(ui, params, browser);
}

/// The "Save as" window: a name, Save (Enter) or Cancel (Escape); a refusal says why in it.
fn save_window(ui: &Ui, params: &StrataParams, browser: &mut PresetBrowser) {
    let Some((mut name, problem)) = browser.saving.take() else {
        return;
    };
    let mut close = false;
    let mut save = false;
    egui::Window::new("Save preset")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_TOP, egui::Vec2::new(0.0, 60.0))
        .show(ui.ctx(), |ui| {
            ui.label(RichText::new("Name").size(11.0).color(theme::TEXT_DIM));
            let field = ui.add(egui::TextEdit::singleline(&mut name).desired_width(220.0));
            field.request_focus();
            if let Some(problem) = &problem {
                ui.label(RichText::new(problem).size(11.0).color(theme::CLIP));
            }
            let (enter, escape) = ui.input(|i| {
                (
                    i.key_pressed(egui::Key::Enter),
                    i.key_pressed(egui::Key::Escape),
                )
            });
            ui.horizontal(|ui| {
                save = ui.button("Save").clicked() || enter;
                close = ui.button("Cancel").clicked() || escape;
            });
        });
    if save {
        match browser.save_as(&name, params) {
            Ok(()) => close = true,
            Err(problem) => {
                browser.saving = Some((name, Some(problem)));
                return;
            }
        }
    }
    if !close {
        browser.saving = Some((name, problem));
    }
}
