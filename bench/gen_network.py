#!/usr/bin/env python3
"""Generate a synthetic, province-sized network for benchmarks (deterministic from a seed).

    .venv/bin/python bench/gen_network.py OUT --schools 300 --portals 10 --posts 60 [--seed 1]

Writes OUT/mkdocs.yml (the repo's base config), OUT/shared-theme (a symlink to the repo's),
OUT/sites/<id>/mkdocs.yml and OUT/content/<id>/ with posts in realistic Vietnamese, categories,
groups, some featured posts and small photos, and each school's 3 công khai pages (copied from the
demo school of its level, with its own name).
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ["mam-non", "tieu-hoc", "thcs", "thpt"]
LEVEL_NAMES = {"mam-non": "Mầm non", "tieu-hoc": "Tiểu học", "thcs": "THCS", "thpt": "THPT"}
NAMES = [
    "Hoa Sen",
    "Kim Đồng",
    "Lê Quý Đôn",
    "Nguyễn Du",
    "Trần Phú",
    "Quang Trung",
    "Chu Văn An",
    "Ngô Quyền",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
    "Võ Thị Sáu",
    "Hoàng Hoa Thám",
    "Phan Bội Châu",
    "Bình Minh",
    "Sao Mai",
]
CATEGORIES = [
    "tin-tuc-su-kien",
    "thong-bao",
    "hoat-dong-chuyen-mon",
    "phong-trao-thi-dua",
    "an-toan-truong-hoc",
    "chuyen-doi-so",
    "doan-the",
]
TOPICS = [
    "Khai giảng năm học mới",
    "Hội giảng chào mừng ngày Nhà giáo Việt Nam",
    "Tập huấn chuyển đổi số",
    "Ngày hội đọc sách",
    "Tuyên truyền an toàn giao thông",
    "Đại hội Liên đội",
    "Hội thi giáo viên dạy giỏi",
    "Sinh hoạt chuyên đề tổ chuyên môn",
    "Phòng chống đuối nước",
    "Vui Tết Trung thu",
    "Kiểm tra nội bộ",
    "Hội nghị cán bộ, công chức, viên chức",
    "Tổng kết phong trào thi đua",
    "Trải nghiệm sáng tạo",
]
SENTENCES = [
    "Buổi lễ diễn ra trang trọng với sự tham dự của đại diện Ban giám hiệu, giáo viên và các em học sinh.",
    "Nhà trường đã xây dựng kế hoạch chi tiết, phân công nhiệm vụ cụ thể cho từng tổ chuyên môn.",
    "Các em học sinh hào hứng tham gia, thể hiện tinh thần đoàn kết và sáng tạo.",
    "Hoạt động góp phần nâng cao chất lượng giáo dục toàn diện và rèn luyện kỹ năng sống cho học sinh.",
    "Ban đại diện cha mẹ học sinh đã phối hợp chặt chẽ với nhà trường trong công tác tổ chức.",
    "Giáo viên tích cực ứng dụng công nghệ thông tin, đổi mới phương pháp dạy học theo hướng phát huy năng lực.",
    "Qua hoạt động, tập thể sư phạm rút ra nhiều kinh nghiệm quý cho các năm học tiếp theo.",
    "Nhà trường tiếp tục thực hiện tốt các cuộc vận động và phong trào thi đua do ngành phát động.",
]


def jpeg(rng: random.Random) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 360), tuple(rng.randrange(60, 200) for _ in range(3)))
    d = ImageDraw.Draw(img)
    for _ in range(6):
        x, y = rng.randrange(600), rng.randrange(320)
        d.rectangle(
            [x, y, x + rng.randrange(40, 200), y + rng.randrange(30, 120)],
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60)
    return buf.getvalue()


def site_yaml(uid: str, unit: dict) -> str:
    return yaml.safe_dump(
        {
            "INHERIT": "../../mkdocs.yml",
            "site_name": unit["name"],
            "site_url": f"https://bench.edu.vn/{uid}/",
            "docs_dir": f"../../content/{uid}",
            "site_dir": f"../../public/{uid}",
            "extra": {"unit": {"id": uid, **unit}},
        },
        allow_unicode=True,
        sort_keys=False,
    )


#: The demo school whose disclosure pages (3 công khai) a generated school of a level copies.
DISCLOSURE_MODELS = {
    "mam-non": "mn-hoa-sen",
    "tieu-hoc": "th-kim-dong",
    "thcs": "thcs-le-quy-don",
    "thpt": "thpt-nguyen-trai",
}


@cache
def model_unit(level: str) -> dict:
    """``extra.unit`` of the demo school modelling ``level``."""
    meta = yaml.safe_load(
        (ROOT / "sites" / DISCLOSURE_MODELS[level] / "mkdocs.yml").read_text(encoding="utf-8")
    )
    return meta["extra"]["unit"]


def copy_disclosures(level: str, name: str, docs: Path) -> None:
    """The model school's ``cong-khai/`` (pages and attachments), its name replaced by ``name``."""
    model = DISCLOSURE_MODELS[level]
    model_name = model_unit(level)["name"]
    source = ROOT / "content" / model / "cong-khai"
    for path in sorted(source.rglob("*")):
        target = docs / "cong-khai" / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.suffix == ".md":
            text = path.read_text(encoding="utf-8").replace(model_name, name)
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(path, target)


def generate(
    out: Path,
    schools: int,
    portals: int,
    posts: int,
    seed: int = 1,
    image_every: int = 10,
    disclosures: bool = True,
) -> list[str]:
    """Write the network; return the school ids. Schools get the 3 công khai pages of a demo
    school of their level (``disclosures``)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    (out / "shared-theme").symlink_to(ROOT / "shared-theme", target_is_directory=True)
    units: dict[str, dict] = {
        "so": {
            "name": "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm",
            "kind": "so",
            "rollup": {"policy": "featured", "limit": 60},
        }
    }
    for p in range(1, portals + 1):
        units[f"pgd-{p:02d}"] = {
            "name": f"Phòng GDĐT huyện {NAMES[p % len(NAMES)]} {p}",
            "kind": "portal",
            "parent": "so",
            "rollup": {"policy": "all", "limit": 60},
        }
    school_ids = []
    photos = [jpeg(rng) for _ in range(8)]
    for s in range(1, schools + 1):
        level = LEVELS[s % len(LEVELS)]
        uid = f"{level}-{s:04d}"
        parent = "so" if level == "thpt" else f"pgd-{(s % portals) + 1:02d}"
        units[uid] = {
            "name": f"Trường {LEVEL_NAMES[level]} {NAMES[s % len(NAMES)]} {s}",
            "kind": "school",
            "level": level,
            "parent": parent,
            "groups": ["Tổ 1", "Tổ 2", "Tổ Văn phòng", "Công đoàn"],
        }
        if disclosures:  # the copied disclosure pages name the model's contacts and options
            model = model_unit(level)
            for key in ("address", "phone", "email", "disclosure"):
                if key in model:
                    units[uid][key] = model[key]
        school_ids.append(uid)
    for uid, unit in units.items():
        (out / "sites" / uid).mkdir(parents=True)
        (out / "sites" / uid / "mkdocs.yml").write_text(site_yaml(uid, unit), encoding="utf-8")
        docs = out / "content" / uid
        docs.mkdir(parents=True)
        (docs / "index.md").write_text(
            f"---\ntitle: Trang chủ\n---\n\nChào mừng đến với {unit['name']}.\n", encoding="utf-8"
        )
        (docs / "lien-he.md").write_text(f"# Liên hệ\n\n{unit['name']}\n", encoding="utf-8")
        if disclosures and unit["kind"] != "school":  # portals: the members' dashboard
            (docs / "cong-khai").mkdir()
            shutil.copyfile(
                ROOT / "content" / "so-gddt" / "cong-khai" / "index.md",
                docs / "cong-khai" / "index.md",
            )
        if disclosures and unit["kind"] == "school":
            copy_disclosures(unit["level"], unit["name"], docs)
            (docs / "gioi-thieu").mkdir()
            (docs / "gioi-thieu" / "index.md").write_text(
                f"# Giới thiệu\n\n{unit['name']} là trường công lập.\n", encoding="utf-8"
            )
        count = posts if unit["kind"] == "school" else max(3, posts // 6)
        start = datetime(2026, 11, 20, 8, 0)
        for i in range(count):
            when = start - timedelta(days=i * 300 // max(count, 1), hours=rng.randrange(0, 9))
            topic = rng.choice(TOPICS)
            slug = f"{when:%Y-%m-%d}-bai-{i:03d}"
            bundle = docs / "tin-tuc" / f"{when:%Y}" / slug
            bundle.mkdir(parents=True)
            meta = {
                "title": f"{topic} ({i + 1})",
                "date": when.strftime("%Y-%m-%d %H:%M"),
                "summary": rng.choice(SENTENCES),
                "categories": rng.sample(CATEGORIES, 1),
                "author": "Ban biên tập",
                "featured": i % 7 == 0,
                "id": f"{uid}-{i}",
            }
            if unit.get("groups"):
                meta["group"] = rng.choice(unit["groups"])
            if image_every and i % image_every == 0:
                (bundle / "anh.jpg").write_bytes(rng.choice(photos))
                meta["image"], meta["image_alt"] = "anh.jpg", f"Hình ảnh: {topic.lower()}"
            body = "\n\n".join(" ".join(rng.sample(SENTENCES, 3)) for _ in range(3))
            text = (
                "---\n"
                + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
                + "---\n\n## "
                + topic
                + "\n\n"
                + body
                + "\n"
            )
            (bundle / "index.md").write_text(text, encoding="utf-8")
    return school_ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--schools", type=int, default=300)
    ap.add_argument("--portals", type=int, default=10)
    ap.add_argument("--posts", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-disclosures", action="store_true", help="leave out the 3 công khai pages")
    args = ap.parse_args()
    ids = generate(
        args.out,
        args.schools,
        args.portals,
        args.posts,
        args.seed,
        disclosures=not args.no_disclosures,
    )
    print(f"{len(ids)} schools, {args.portals} portals, {args.posts} posts per school → {args.out}")


if __name__ == "__main__":
    main()
