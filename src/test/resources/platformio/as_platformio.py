"""Runs firmament_upload.py the way PlatformIO does, without PlatformIO: as an SCons extra script with an `env`
that answers the project options and defines of one [env:…] section, then calls the action it registered after the
firmware was linked. Exits with what the action returned (PlatformIO fails the build on non-zero).

    python3 as_platformio.py HOOK BUILD_DIR FIRMWARE OPTIONS_JSON DEFINES_JSON
"""
import json
import sys

hook, build_dir, firmware, options, defines = sys.argv[1:6]


class Env(dict):
    def __init__(self):
        super().__init__(CPPDEFINES=[tuple(d) if isinstance(d, list) else d for d in json.loads(defines)])
        self.actions = []
        self.exit_code = None

    def GetProjectOption(self, name, default=None):
        return json.loads(options).get(name, default)

    def subst(self, text):
        return text.replace("$BUILD_DIR", build_dir).replace("${PROGNAME}", "firmware")

    def AddPostAction(self, target, action):
        self.actions.append((self.subst(target), action))

    def Exit(self, code):
        self.exit_code = code


env = Env()
scope = {"__name__": "SCons.Script", "Import": lambda name: None, "env": env}
with open(hook) as source:
    exec(compile(source.read(), hook, "exec"), scope)
[(target, action)] = env.actions
assert target == firmware, target
result = action(None, [firmware], env)
sys.exit(env.exit_code or result or 0)
