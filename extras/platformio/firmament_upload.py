"""Uploads what `pio run` built to Firmament as a release.

In platformio.ini:

    [env:sonoff]
    extra_scripts = post:firmament_upload.py
    custom_firmament_url = https://firmament.example.com
    custom_firmament_tenant = acme
    custom_firmament_product = SONOFF_BASIC
    build_flags = -D FIRMWARE_VERSION=\\"1.4.2\\"

and, where the upload should happen (CI), a maintainer API token in FIRMAMENT_TOKEN. Every setting can also come
from the environment (FIRMAMENT_URL, FIRMAMENT_TENANT, FIRMAMENT_PRODUCT, FIRMAMENT_VERSION, FIRMAMENT_NOTES), which
wins over platformio.ini; the version falls back to the FIRMWARE_VERSION define. The token is read from the
environment only, so that it never ends up in a committed file. Without a token the hook does nothing.

The filesystem image (`pio run -t buildfs` writes littlefs.bin or spiffs.bin into the build directory) is uploaded
with the firmware when it is there. A refusal fails the build with the server's own message.

Runs without PlatformIO too, for scripts and tests:
    python3 firmament_upload.py --url … --tenant … --product … --version … --firmware firmware.bin [--filesystem …]
"""
import argparse
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
import uuid

FILESYSTEM_IMAGES = ("littlefs.bin", "spiffs.bin")


class UploadRefused(Exception):
    """The server did not take the release; the message is what it said."""


def resolve_settings(options, environ, defines=()):
    """Settings from platformio.ini options (custom_firmament_*), the environment, and the build's defines.

    Answers a dict with url, tenant, product, version, notes and token (None when unset), or raises UploadRefused
    naming what is missing.
    """
    def pick(name):
        value = environ.get("FIRMAMENT_" + name.upper()) or options.get("custom_firmament_" + name) or ""
        return value.strip() or None

    settings = {name: pick(name) for name in ("url", "tenant", "product", "version", "notes")}
    settings["token"] = (environ.get("FIRMAMENT_TOKEN") or "").strip() or None
    if settings["version"] is None:
        settings["version"] = firmware_version_define(defines)
    missing = [name for name in ("url", "tenant", "product", "version") if settings[name] is None]
    if missing:
        raise UploadRefused("set " + ", ".join("custom_firmament_%s (or FIRMAMENT_%s)" % (m, m.upper())
                                               for m in missing))
    settings["url"] = settings["url"].rstrip("/")
    return settings


def firmware_version_define(defines):
    """The value of a FIRMWARE_VERSION define (`-D FIRMWARE_VERSION=\\"1.4.2\\"`), without its quotes."""
    for define in defines:
        if isinstance(define, (tuple, list)) and len(define) == 2 and define[0] == "FIRMWARE_VERSION":
            return str(define[1]).replace('\\"', '"').strip('"') or None
    return None


def upload_release(url, tenant, token, product, version, firmware, filesystem=None, notes=None, timeout=120):
    """Uploads one release; answers the created release (the API's JSON) or raises UploadRefused.

    The SHA-256 of each file is sent with it, so that the server refuses a file damaged on the way.
    """
    fields = [("product", product), ("version", version)]
    if notes:
        fields.append(("notes", notes))
    files = []
    for name, path in (("firmware", firmware), ("filesystem", filesystem)):
        if path is None:
            continue
        try:
            with open(path, "rb") as image:
                content = image.read()
        except OSError as failure:
            raise UploadRefused("cannot read the %s image %s: %s" % (name, path, failure.strerror)) from None
        fields.append((name + "Sha256", hashlib.sha256(content).hexdigest()))
        files.append((name, os.path.basename(path), content))

    boundary = uuid.uuid4().hex
    body = bytearray()
    for name, value in fields:
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n' % (boundary, name)).encode()
        body += value.encode("utf-8") + b"\r\n"
    for name, filename, content in files:
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n" % (boundary, name, filename)).encode()
        body += content + b"\r\n"
    body += ("--%s--\r\n" % boundary).encode()

    request = urllib.request.Request(
        "%s/api/v1/tenants/%s/releases" % (url.rstrip("/"), tenant), data=bytes(body), method="POST",
        headers={"Authorization": "Bearer " + token, "Accept": "application/json",
                 "Content-Type": "multipart/form-data; boundary=" + boundary})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as refusal:
        raise UploadRefused(problem_message(refusal.code, refusal.read())) from None
    except (urllib.error.URLError, OSError) as failure:
        raise UploadRefused("cannot reach %s: %s" % (url, getattr(failure, "reason", failure))) from None


def problem_message(status, body):
    """What the server said, from its problem+json (`409 release-exists: …`), or the raw answer."""
    try:
        problem = json.loads(body)
        message = "%d %s: %s" % (status, problem.get("code", ""), problem.get("detail") or problem.get("title"))
        for error in problem.get("errors") or []:
            message += "\n  - %s" % (error if isinstance(error, str) else json.dumps(error))
        return message
    except ValueError:
        return "%d: %s" % (status, body[:500].decode("utf-8", "replace"))


def filesystem_image(build_dir):
    """The filesystem image `pio run -t buildfs` left in the build directory, if any."""
    for name in FILESYSTEM_IMAGES:
        path = os.path.join(build_dir, name)
        if os.path.isfile(path):
            return path
    return None


def _main(argv):
    parser = argparse.ArgumentParser(description="Upload a firmware release to Firmament.")
    for name in ("url", "tenant", "product", "version"):
        parser.add_argument("--" + name, default=os.environ.get("FIRMAMENT_" + name.upper()), required=False)
    parser.add_argument("--notes", default=os.environ.get("FIRMAMENT_NOTES"))
    parser.add_argument("--firmware", required=True)
    parser.add_argument("--filesystem")
    args = parser.parse_args(argv)
    try:
        options = {"custom_firmament_" + k: v for k, v in vars(args).items() if v}
        settings = resolve_settings(options, {"FIRMAMENT_TOKEN": os.environ.get("FIRMAMENT_TOKEN", "")})
        if settings["token"] is None:
            raise UploadRefused("set FIRMAMENT_TOKEN to a maintainer API token")
        release = upload_release(settings["url"], settings["tenant"], settings["token"], settings["product"],
                                 settings["version"], args.firmware, args.filesystem, settings["notes"])
    except UploadRefused as refusal:
        sys.stderr.write("Firmament refused the upload: %s\n" % refusal)
        return 1
    print(json.dumps(release))
    return 0


def _platformio(env):
    """The PlatformIO glue: after the firmware is linked, upload it (and the filesystem image) when a token is set."""

    def after_build(source, target, env):
        try:
            options = {name: env.GetProjectOption(name, "") for name in (
                "custom_firmament_url", "custom_firmament_tenant", "custom_firmament_product",
                "custom_firmament_version", "custom_firmament_notes")}
            settings = resolve_settings(options, os.environ, env.get("CPPDEFINES", []))
            if settings["token"] is None:
                print("Firmament: FIRMAMENT_TOKEN is not set, not uploading")
                return 0
            firmware = str(target[0])
            filesystem = filesystem_image(env.subst("$BUILD_DIR"))
            release = upload_release(settings["url"], settings["tenant"], settings["token"], settings["product"],
                                     settings["version"], firmware, filesystem, settings["notes"])
        except UploadRefused as refusal:
            sys.stderr.write("Firmament refused the upload: %s\n" % refusal)
            env.Exit(1)
            return 1
        print("Firmament: %s %s uploaded as release %s" % (settings["product"], settings["version"], release.get("id")))
        return 0

    env.AddPostAction("$BUILD_DIR/${PROGNAME}.bin", after_build)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
elif "Import" in globals():  # run by PlatformIO (SCons) as an extra_scripts entry
    Import("env")  # noqa: F821 (SCons provides Import)
    _platformio(env)  # noqa: F821
