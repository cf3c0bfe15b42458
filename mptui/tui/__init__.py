"""The Textual dashboard: panels, screens and the frame tick that feeds them from a Store.

Entry point: :func:`mptui.tui.app.run_app`. Nothing here runs processes itself; a session
(real, or a replay of a recording: ``mptui replay FILE``, tests, screenshots) does, and the
UI only reads its Store on a timer.
"""
