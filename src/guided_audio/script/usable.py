"""Whether a template file can be used at all, before anyone asks for a session of it.

Reading the front matter is not enough: a Jinja syntax error or a tag guided-audio does not
know only shows when the template is rendered, and `templates` would list it as usable. So
each user template is compiled and, when every parameter has a default, rendered at its
shortest length and parsed, as `preview` would; one that needs a --var is only compiled.
"""

from __future__ import annotations

from guided_audio.errors import GuidedAudioError, MarkupError, TemplateSyntaxError
from guided_audio.script import templates

TRIAL_MINUTES = 5.0


def problem(template: templates.Template) -> str | None:
    """Why the template cannot be used (its file and line), or None."""
    import jinja2

    from guided_audio.script.lengths import script

    try:
        templates._compiled(template.source)
    except jinja2.TemplateSyntaxError as exc:
        return f"{template.path}:{(exc.lineno or 1) + template.body_line - 1}: {exc.message}"
    if any(spec.default is None for spec in template.params.values()):
        return None  # it needs a --var to render: compiled is all that can be said
    minutes = max(template.min_minutes or TRIAL_MINUTES, 1.0)
    try:
        script(template, minutes, {})
    except (TemplateSyntaxError, MarkupError) as exc:
        return str(exc)
    except GuidedAudioError:  # a length it does not fit, no words: a choice, not a broken file
        return None
    return None
