"""Common shapes of user programs run as they are: pools, executors, nested processes,
terminate(), processes started by a subprocess python."""

from __future__ import annotations

from engine_runs import run_program

from mptui.engine.session import Program


def test_pool_workers_are_seen_and_named(write_script, start_method):
    path = write_script(
        """
        import multiprocessing as mp
        def square(x):
            return x * x
        if __name__ == "__main__":
            with mp.Pool(2) as pool:
                print(pool.map(square, range(10)))
        """
    )
    run = run_program(Program.from_script(path, (), start_method))
    assert run.lines() == ["[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"]
    workers = [p for p in run.snapshot.processes if p.role == "child"]
    assert len(workers) == 2 and all(not p.alive for p in workers)
    # A spawn worker the pool terminates while it still imports never got its name.
    assert {p.name for p in workers if p.name.endswith(("PoolWorker-1", "PoolWorker-2"))}
    assert run.snapshot.failed == ()  # terminated by the pool on purpose


def test_process_pool_executor(write_script, start_method):
    path = write_script(
        """
        import concurrent.futures as cf, multiprocessing as mp
        def cube(x):
            return x ** 3
        if __name__ == "__main__":
            ctx = mp.get_context()
            with cf.ProcessPoolExecutor(2, mp_context=ctx) as pool:
                print(sum(pool.map(cube, range(100))))
        """
    )
    run = run_program(Program.from_script(path, (), start_method))
    assert run.lines() == [str(sum(x**3 for x in range(100)))]
    assert run.exitcode == 0 and run.snapshot.failed == ()
    assert len([p for p in run.snapshot.processes if p.role == "child"]) >= 1


def test_terminate_by_the_program_is_not_a_failure_but_a_crash_is(write_script, start_method):
    path = write_script(
        """
        import multiprocessing as mp, os, signal, time
        def forever():
            time.sleep(60)
        def crash():
            os.kill(os.getpid(), signal.SIGTERM)
        if __name__ == "__main__":
            stopped = mp.Process(target=forever, name="stopped")
            crashed = mp.Process(target=crash, name="crashed")
            stopped.start(); crashed.start()
            time.sleep(0.5)
            stopped.terminate()
            stopped.join(); crashed.join()
            print(stopped.exitcode, crashed.exitcode)
        """
    )
    run = run_program(Program.from_script(path, (), start_method))
    assert run.lines(run.by_name("MainProcess").pid) == ["-15 -15"]
    stopped, crashed = run.by_name("stopped"), run.by_name("crashed")
    assert stopped.signal == crashed.signal == "SIGTERM"
    assert stopped.verdict == "ended by parent" and not stopped.failed
    assert crashed.failed and crashed.verdict == "failed"
    assert run.snapshot.failed == (crashed,)


def test_nested_processes_and_a_subprocess_python_are_all_observed(write_script, start_method):
    path = write_script(
        """
        import multiprocessing as mp, subprocess, sys
        def grandchild():
            print("grandchild here")
        def child():
            p = mp.Process(target=grandchild, name="grandchild")
            p.start(); p.join()
            subprocess.run([sys.executable, "-c", "print('subprocess python here')"])
        if __name__ == "__main__":
            p = mp.Process(target=child, name="child")
            p.start(); p.join()
        """
    )
    run = run_program(Program.from_script(path, (), start_method))
    child, grandchild = run.by_name("child"), run.by_name("grandchild")
    if start_method != "forkserver":  # else the child's own fork server is the parent
        assert grandchild.ppid == child.pid
    assert run.lines(grandchild.pid) == ["grandchild here"]
    said = [p for p in run.snapshot.processes if run.lines(p.pid) == ["subprocess python here"]]
    assert [p.ppid for p in said] == [child.pid]
    assert all(p.exitcode == 0 for p in run.snapshot.processes)


def test_cpu_and_memory_are_sampled_while_processes_run(write_script):
    path = write_script(
        """
        import multiprocessing as mp, time
        def burn():
            end = time.monotonic() + 2.5
            while time.monotonic() < end:
                pass
        if __name__ == "__main__":
            p = mp.Process(target=burn, name="burner")
            p.start(); p.join()
        """
    )
    from mptui.engine.session import Session

    samples = []
    with Session(Program.from_script(path)) as session:
        session.start()
        while session.running:
            proc = next((p for p in session.store.snapshot().processes if p.name == "burner"), None)
            if proc is not None and proc.cpu_percent is not None:
                samples.append((proc.cpu_percent, proc.rss_bytes))
            session.wait(0.1)
    assert samples, "no sample while it ran"
    assert max(cpu for cpu, _ in samples) > 30  # a busy loop shows as busy
    assert min(rss for _, rss in samples) > 1_000_000
