//! What Anki refuses in a note type, checked before a plan reaches Anki, so a push stops with
//! the model's place in the file instead of Anki's traceback half way.

use super::models::ModelPlan;
use crate::deck_file::DeckFile;
use crate::error::{ParseError, ParseProblem};

/// Anki lets two templates share a front side only when it shows `{{Card}}` (the template's
/// name), which tells their cards apart.
fn names_the_card(front: &str) -> bool {
    let mut rest = front;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        if after[..end].trim() == "Card" {
            return true;
        }
        rest = &after[end + 2..];
    }
    false
}

/// The first template whose front repeats an earlier one's: (its name, the earlier one's
/// 1-based number and name).
fn repeated_front<'a>(
    templates: impl Iterator<Item = (&'a str, &'a str)>,
) -> Option<(String, usize, String)> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (name, front) in templates {
        if let Some(i) = seen.iter().position(|(_, f)| *f == front) {
            if !names_the_card(front) {
                return Some((name.to_owned(), i + 1, seen[i].0.to_owned()));
            }
        }
        seen.push((name, front));
    }
    None
}

/// Every note type the plan creates or changes, as Anki would check it.
pub fn check_model_plan(path: &str, deck: &DeckFile, plan: &ModelPlan) -> Vec<ParseError> {
    let mut errors = Vec::new();
    let created = plan.create.iter().map(|m| {
        let templates = m
            .templates
            .iter()
            .map(|t| (t.name.as_str(), t.front.as_str()));
        (m.name.as_str(), repeated_front(templates))
    });
    let updated = plan.update.iter().map(|u| {
        let templates = u
            .templates
            .iter()
            .map(|t| (t.name.as_str(), t.front.as_str()));
        (u.name.as_str(), repeated_front(templates))
    });
    for (model, found) in created.chain(updated) {
        let Some((template, number, other)) = found else {
            continue;
        };
        let location = deck.model(model).map(|m| m.location).unwrap_or_default();
        errors.push(ParseError {
            path: path.to_owned(),
            location,
            problem: ParseProblem::IdenticalFront {
                model: model.to_owned(),
                template,
                number,
                other,
            },
        });
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_front_is_found_unless_it_names_the_card() {
        let two = [("Card 1", "{{Front}}"), ("Card 2", "{{Front}}")];
        assert_eq!(
            repeated_front(two.into_iter()),
            Some(("Card 2".into(), 1, "Card 1".into()))
        );
        let named = [("A", "{{ Card }} {{Front}}"), ("B", "{{ Card }} {{Front}}")];
        assert_eq!(repeated_front(named.into_iter()), None);
        let apart = [("A", "{{Front}}"), ("B", "{{Back}}")];
        assert_eq!(repeated_front(apart.into_iter()), None);
    }
}
