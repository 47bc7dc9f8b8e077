"""The fetcher alone (issue 3): ``feeds.sources.http.Fetcher`` over every loopback feed, no parsing.

``python -m bench.run_fetch BASE_URL FEEDS``; each stdin line is one pass: the first fetches
every body, later ones send the validators they got and expect 304s. Answers one JSON line
per pass: wall, how many bodies and 304s.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from feeds.sources.http import Fetcher, FetchSettings, user_agent


async def one_pass(urls: list[str], validators: dict[str, tuple[str | None, str | None]]) -> int:
    async with Fetcher(FetchSettings(user_agent=user_agent())) as fetcher:

        async def one(url: str) -> bool:
            etag, modified = validators.get(url, (None, None))
            result = await fetcher.fetch(url, etag=etag, last_modified=modified)
            validators[url] = (result.etag, result.last_modified)
            return result.not_modified

        return sum(await asyncio.gather(*(one(u) for u in urls)))


def main(argv: list[str]) -> None:
    urls = [f"{argv[0]}/f/{i}" for i in range(int(argv[1]))]
    validators: dict[str, tuple[str | None, str | None]] = {}
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        started = time.perf_counter()
        not_modified = asyncio.run(one_pass(urls, validators))
        wall = time.perf_counter() - started
        out = {"phase": line.strip(), "wall": wall, "not_modified": not_modified}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
