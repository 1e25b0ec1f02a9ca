"""The `fdsl` command of a pip-installed package: the C++ command ships inside the package as
fdsl/bin/fdsl, and this entry point replaces the Python process with it (exec), so its exit status,
signals (SIGINT: exit 130) and standard streams are the command's own."""
import os
import sys


def executable():
    """The path of the C++ `fdsl` command inside this package."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "fdsl")


def main():
    exe = executable()
    if not os.access(exe, os.X_OK):
        sys.stderr.write(f"fdsl: the command is missing from this installation ({exe}); "
                         "reinstall with `pip install --force-reinstall fdsl`\n")
        return 127
    os.execv(exe, [exe] + sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
