# Keboola's Python Transformation over the Common Interface: the scripts of
# parameters.blocks[].codes[].script[] run in order as one program, in the data folder,
# reading in/tables/*.csv and writing out/tables/*.csv. An error in them is the user's (exit 1).
import importlib.util
import json
import os
import re
import sys
import traceback

data_dir = os.environ.get("KBC_DATADIR", "/data/")
with open(os.path.join(data_dir, "config.json"), encoding="utf-8") as f:
    config = json.load(f)
parameters = config.get("parameters") or {}


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


packages = parameters.get("packages") or []
if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
    fail('Configuration "parameters.packages" must be a list of package names.')
missing = [p for p in packages if importlib.util.find_spec(re.split(r"[<>=!~\[ ]", p, 1)[0].replace("-", "_")) is None]
if missing:
    fail(
        "These packages cannot be installed on this Jobdeck (it reaches no package index): "
        + ", ".join(missing)
        + ". Remove them from \"packages\" or use packages the worker already has."
    )

blocks = parameters.get("blocks")
if not isinstance(blocks, list) or len(blocks) == 0:
    fail('Configuration "parameters.blocks" must be a list of blocks, each with "codes" holding a "script".')
parts = []
for b, block in enumerate(blocks):
    codes = block.get("codes") if isinstance(block, dict) else None
    if not isinstance(codes, list):
        fail(f'Configuration "parameters.blocks[{b}].codes" must be a list.')
    for c, code in enumerate(codes):
        script = code.get("script") if isinstance(code, dict) else None
        if isinstance(script, str):
            script = [script]
        if not isinstance(script, list) or not all(isinstance(s, str) for s in script):
            fail(f'Configuration "parameters.blocks[{b}].codes[{c}].script" must be a list of strings.')
        name = code.get("name") or f"code {c + 1}"
        parts.append(f"# --- block {b + 1} ({block.get('name', '')}), {name}\n" + "\n".join(script))

os.chdir(data_dir)
source = "\n\n".join(parts)
try:
    program = compile(source, "transformation.py", "exec")
    exec(program, {"__name__": "__main__"})
except SystemExit:
    raise
except BaseException:
    traceback.print_exc()
    sys.exit(1)
