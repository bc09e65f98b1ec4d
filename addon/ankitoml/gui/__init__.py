"""The add-on inside Anki's desktop: Tools > TOML Decks, the deck gear menu, the preview
dialog, and Manage Note Types > Add IDs.

Only ``setup`` runs at import time, and only inside Anki. The dialogs draw and ask; the work is
done by ``actions`` and ``notetype_ids``, which know nothing about Qt.
"""


def setup() -> None:
    from aqt import gui_hooks, mw

    try:
        from .. import native  # noqa: F401  (loads the platform's native module)
    except ImportError as err:
        # No build for this platform (or a broken one): say so once the window is up, instead
        # of Anki's add-on traceback, and add no menus that could only fail.
        message = str(err)

        def warn() -> None:
            from aqt.utils import showWarning

            showWarning(message, parent=mw, title="TOML Decks", textFormat="plain")

        gui_hooks.main_window_did_init.append(warn)  # fired once, when the window is up
        return

    from .add_ids_button import setup_add_ids_button
    from .menus import setup_menus

    setup_menus(mw)
    setup_add_ids_button()
