"""Build for the ``tongban`` distribution (市域通办).

``setup.py`` is the build; tool settings (ruff, pytest) live in ``pyproject.toml``.
Extras split what a kiosk needs from what a server needs, so a village kiosk does not
carry the server stack and the server does not carry Kivy.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

CORE = [
    "pydantic>=2.7,<3",
    "python-stdnum>=1.20",
    "chinesecalendar>=1.9",
    "click>=8.1",
    "platformdirs>=4",
    "PyYAML>=6",
    "SQLAlchemy>=2.0,<2.2",
    "alembic>=1.13",  # both databases are versioned: the server's and every kiosk's
    "requests>=2.31",
    "segno>=1.6",
    "reportlab>=4",
    "cryptography>=42",
    "pypinyin>=0.51",
]
SCAN = [
    "opencv-python-headless>=4.9",
    "numpy>=1.26",
    "Pillow>=10",
    "pytesseract>=0.3.10",
    "pyzbar>=0.1.9",
    "zxing-cpp>=2.2",
    "rapidocr==3.10.0",
    "onnxruntime>=1.17",
    "pypdfium2>=4",
]
KIOSK = [*SCAN, "kivy==2.3.1", "argon2-cffi>=23"]
SERVER = [
    *SCAN,  # online pages are scanned on the server, by the kiosk's pipeline (scan workers)
    "huey>=2.5",  # the scan queue: SQLite on one machine, Redis when scan workers scale out
    "redis>=5",
    "Flask>=3.0",
    "alembic>=1.13",
    "psycopg[binary]>=3.1",
    "gunicorn>=22",
    "argon2-cffi>=23",
    "openpyxl>=3.1",
    "jsonschema>=4.20",
    "pygal>=3.0",  # the dashboard's charts, SVG rendered on the server (no script, no CDN)
]
DEV = [
    "pytest>=8",
    "hypothesis>=6",
    "ruff>=0.5",
    "pypdf>=4",
    "playwright>=1.45",
    "psutil>=5.9",
    "openapi-spec-validator>=0.7",
    # rebuilds the kiosk's pinyin table (python -m kiosk.visit.ime_build): character frequencies
    "jieba==0.42.1",
    # fuzzes the API from its OpenAPI 3.1 document (tests/server/test_fuzz_api.py); 4.x
    # reads 3.1, and the test uses its coverage-case and check APIs, so the version is pinned
    "schemathesis==4.32.5",
    # the fleet simulator (bench/fleet.py): thousands of open-loop kiosk requests from one process
    "aiohttp>=3.9",
]

ROOTS = ["kiosk", "sync_server", "shared_schema", "tongban_cli", "hardware_profiles"]

setup(
    name="tongban",
    version="0.1.0",
    description="市域通办: apply for any government service at any village service point",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    # Namespace packages too: the data folders (templates, migrations, locale, catalog
    # data) are then packages of their own, shipped with their files, without setuptools'
    # "Package would be ignored" warning for each one.
    packages=find_namespace_packages(
        include=[f"{root}{tail}" for root in ROOTS for tail in ("", ".*")], exclude=["*.__pycache__"]
    ),
    include_package_data=True,
    package_data={
        "shared_schema": [
            "data/*.yaml",
            "data/*.json",
            "data/*.csv",
            "data/**/*.yaml",
            "data/**/*.json",
            "data/**/*.csv",
        ],
        "sync_server": ["templates/**/*", "static/**/*", "migrations/**/*"],
        "kiosk": ["locale/**/*", "assets/**/*", "store/migrations/**/*"],
        "hardware_profiles": ["*.yaml"],
    },
    install_requires=CORE,
    extras_require={
        "scan": SCAN,
        "kiosk": KIOSK,
        "server": SERVER,
        "dev": DEV,
        "all": sorted(set(KIOSK + SERVER + DEV)),
    },
    entry_points={"console_scripts": ["tongban=tongban_cli.main:cli"]},
)
