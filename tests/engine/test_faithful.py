"""The observed program behaves as it does without mptui: output it redirects stays
redirected, stdin reaches it, its exit paths and signatures are unchanged."""

from __future__ import annotations

import os
import subprocess
import sys

from engine_runs import run_program

from mptui.engine.session import Program


def test_output_the_program_captures_or_redirects_stays_where_it_sent_it(
    write_script, tmp_path, start_method
):
    target = tmp_path / "redirected.txt"
    path = write_script(
        f"""
        import multiprocessing as mp, os, subprocess, sys
        def child():
            print("child to the file")
        if __name__ == "__main__":
            out = subprocess.check_output([sys.executable, "-c", "print(42)"])
            err = subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('e')"],
                                 capture_output=True).stderr
            subprocess.run([sys.executable, "-c", "print('into the void')"],
                           stdout=subprocess.DEVNULL)
            print("captured", out, err)
            sys.stdout.flush()
            saved = os.dup(1)
            fd = os.open({str(target)!r}, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            p = mp.Process(target=child)
            p.start(); p.join()
            sys.stdout.flush()
            os.dup2(saved, 1)
            print("back on the terminal")
        """
    )
    run = run_program(Program.from_script(path, (), start_method))
    assert run.lines() == ["captured b'42\\n' b'e'", "back on the terminal"]
    assert target.read_text() == "child to the file\n"


def test_stdin_reaches_the_program_headless(write_script):
    path = write_script("name = input()\nprint('hello', name)\n")
    result = subprocess.run(
        [sys.executable, "-m", "mptui", "run", "--headless", "--python", sys.executable, str(path)],
        input="bob\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    assert "MainProcess  | hello bob" in result.stdout


def test_os_exit_keeps_its_signature(write_script):
    path = write_script("import os\nos._exit(status=4)\n")
    run = run_program(Program.from_script(path))
    assert run.exitcode == 4


def test_daemon_children_ended_at_exit_are_not_failures(write_script, start_method):
    path = write_script(
        """
        import multiprocessing as mp, time
        def serve(ready):
            ready.set()
            time.sleep(60)
        if __name__ == "__main__":
            # Waits until the server runs: a spawn child still starting on a busy machine
            # has no name yet when it is ended.
            ready = mp.Event()
            mp.Process(target=serve, args=(ready,), name="server", daemon=True).start()
            ready.wait()
            print("main done")
        """
    )
    run = run_program(Program.from_script(path, (), start_method))
    server = run.by_name("server")
    assert server.signal == "SIGTERM" and server.verdict == "ended by parent"
    assert run.snapshot.failed == ()


def test_an_undecodable_byte_does_not_stop_headless_output(write_script):
    path = write_script(
        "import os, time\nos.write(2, b'\\xff\\n')\nfor i in range(3):\n    print('tick', i)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mptui", "run", "--headless", "--python", sys.executable, str(path)],
        capture_output=True, timeout=60, env={**__import__("os").environ,
                                              "PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    out = result.stdout.decode()
    assert result.returncode == 0, out
    assert "MainProcess  ! \\xff" in out  # the byte, escaped: not lost, not raw
    assert "MainProcess  | tick 2" in out


def test_a_long_line_is_cut_between_characters(write_script):
    from mptui.engine.collector import LINE_LIMIT

    # Two-byte characters, more bytes than the line limit: pieces never split one.
    path = write_script(f"print('\\u00e9' * {LINE_LIMIT})\n")
    run = run_program(Program.from_script(path))
    pieces = run.lines()
    assert len(pieces) == 2
    assert "".join(pieces) == "\u00e9" * LINE_LIMIT
    assert all("\udcc3" not in piece and "\udca9" not in piece for piece in pieces)


# What the program sees of itself, printed by every process: compared line by line (in any
# order between processes) with what the same program prints under plain python.
SEES_ITSELF = """
import multiprocessing as mp, os, sys

def ours(entry):  # mptui's own import directory (the agent and sitecustomize) on the path
    return os.path.exists(os.path.join(entry, "mptui", "agent", "bootstrap"))

def facts(who):
    custom = sys.modules.get("sitecustomize")
    print(who, "__name__", __name__)
    print(who, "cwd", os.getcwd(), open("data.txt").read().strip())
    print(who, "sys.path", [p for p in sys.path if not ours(p)])
    print(who, "own sitecustomize ran here", getattr(custom, "MARK", None) == os.getpid())
    print(who, "start method", mp.get_start_method(allow_none=True))

print("module level runs as", __name__)  # again in spawn and forkserver children, as __mp_main__

if __name__ == "__main__":
    mp.freeze_support()
    mp.set_start_method(sys.argv[1])
    facts("main")
    p = mp.Process(target=facts, args=("child",))
    p.start(); p.join()
    with mp.get_context(sys.argv[2]).Pool(1) as pool:
        pool.apply(facts, ("pool worker",))
"""

USER_SITECUSTOMIZE = """
import os, sys
MARK = os.getpid()
sys.stderr.write("the program's own sitecustomize ran\\n")
"""


def test_the_program_sees_its_own_cwd_path_main_guard_sitecustomize_and_start_method(
    write_script, tmp_path, monkeypatch, start_method
):
    other = next(m for m in ("spawn", "forkserver", "fork") if m != start_method)
    path = write_script(SEES_ITSELF, name="sees_itself.py")
    site_dir = tmp_path / "site"  # the program's own PYTHONPATH, with a sitecustomize
    site_dir.mkdir()
    (site_dir / "sitecustomize.py").write_text(USER_SITECUSTOMIZE)
    work = tmp_path / "work"  # its working directory: not the script's
    work.mkdir()
    (work / "data.txt").write_text("found data.txt\n")
    monkeypatch.chdir(work)
    monkeypatch.setenv("PYTHONPATH", str(site_dir))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPTUI_")}
    plain = subprocess.run([sys.executable, str(path), start_method, other], env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert "pool worker own sitecustomize ran here" in plain.stdout  # the test sees it
    run = run_program(Program.from_script(path, (start_method, other)), timeout=120)
    assert run.exitcode == 0
    assert sorted(run.lines(stream="stdout")) == sorted(plain.stdout.splitlines())
    assert sorted(run.lines(stream="stderr")) == sorted(plain.stderr.splitlines())


def test_a_failing_sitecustomize_of_the_program_is_reported_as_python_reports_it(
    write_script, tmp_path, monkeypatch
):
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "sitecustomize.py").write_text("raise ValueError('broken on purpose')\n")
    monkeypatch.setenv("PYTHONPATH", str(site_dir))
    path = write_script("print('the program runs anyway')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPTUI_")}
    plain = subprocess.run([sys.executable, str(path)], env=env, capture_output=True,
                           text=True, timeout=60)  # fmt: skip
    assert "ValueError: broken on purpose" in plain.stderr
    run = run_program(Program.from_script(path))
    assert run.lines(stream="stdout") == plain.stdout.splitlines()
    assert run.lines(stream="stderr") == plain.stderr.splitlines()
