import json
import os
import subprocess
import sys


def _consent_ages_with(env_value: str | None) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "CONSENT_AGES_JSON"}
    if env_value is not None:
        env["CONSENT_AGES_JSON"] = env_value
    code = "import json, config; print(json.dumps(config.Config.CONSENT_AGES))"
    output = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def test_the_consent_age_table_can_be_changed_from_the_environment():
    default = _consent_ages_with(None)
    changed = _consent_ages_with('{"GB": 16, "CA-BC": 13}')
    assert default["GB"] == 13 and "CA-BC" not in default
    assert changed["GB"] == 16 and changed["CA-BC"] == 13
    assert changed["FR"] == default["FR"] == 15
