"""The simulated students of benchmarks/web_load.py (a locust file; run by it, not alone).

Reads WEB_LOAD_FIXTURES (sessions and URLs the benchmark prepared), WEB_LOAD_SCENARIO
(healthz, lesson or students), WEB_LOAD_THINK (mean seconds between a student's requests)
and WEB_LOAD_MAX_REQUESTS (each simulated user stops by itself after that many).
Requests go to the --host locust is given, which the benchmark sets to 127.0.0.1.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets

import gevent
from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

FIXTURES = json.loads(open(os.environ["WEB_LOAD_FIXTURES"]).read())  # noqa: SIM115
SCENARIO = os.environ["WEB_LOAD_SCENARIO"]
THINK = float(os.environ["WEB_LOAD_THINK"])
MAX_REQUESTS = int(os.environ["WEB_LOAD_MAX_REQUESTS"])
_accounts = itertools.cycle(FIXTURES["students"])
_REVISION = re.compile(r'id="rev-(\d+)" value="(\d+)"')
_SEQUENCE = re.compile(r'name="sequence" value="(\d+)"')


class Student(FastHttpUser):
    wait_time = between(THINK / 2, THINK * 1.5) if THINK else constant(0)

    def on_start(self) -> None:
        account = next(_accounts)
        csrf = secrets.token_hex(16)  # a 32-character secret: cookie and header alike
        self.cookies = {"sessionid": account["session"], "csrftoken": csrf}
        self.headers = {
            "X-CSRFToken": csrf,
            "X-Forwarded-Proto": "https",  # as the TLS-terminating proxy says
            "Referer": f"{self.host.replace('http://', 'https://')}{FIXTURES['lesson']}",
        }
        self._send_cookies()
        self.account = account
        self.sequence = 0
        self.revision = 0
        self.sent = 0
        # Students do not move in step: each starts at its own place in the mix of ten
        # requests, after up to one think time. (In step, all of them asked for a lesson
        # page in the same second of the start, and that burst set the lesson's p95.)
        self.offset = secrets.randbelow(10) if THINK else 0
        if THINK:
            gevent.sleep(THINK * secrets.randbelow(1000) / 1000)

    def _send_cookies(self) -> None:
        self.headers["Cookie"] = "; ".join(
            f"{name}={value}" for name, value in self.cookies.items()
        )
        self.htmx = {**self.headers, "HX-Request": "true"}

    def _keep_cookies(self, response) -> None:
        """Keep the cookies the site sets, as a browser does (the `pagegen` cookie that a
        write renews says which kept pages are still current); the session and the CSRF
        secret are the benchmark's own."""
        changed = False
        for header in response.headers.getlist("set-cookie") if response.headers else []:
            name, _, rest = header.partition("=")
            if name.strip() not in ("sessionid", "csrftoken"):
                self.cookies[name.strip()] = rest.split(";", 1)[0]
                changed = True
        if changed:
            self._send_cookies()

    def _count(self) -> None:
        self.sent += 1
        if self.sent > MAX_REQUESTS:
            raise StopUser()

    def _get(self, path: str, name: str, headers: dict, ok=(200,)) -> None:
        self._count()
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            self._keep_cookies(response)
            if response.status_code not in ok:
                response.failure(f"status {response.status_code}")

    def _post(self, path: str, name: str, data: dict) -> str:
        self._count()
        with self.client.post(
            path, data=data, headers=self.htmx, name=name, catch_response=True
        ) as response:
            self._keep_cookies(response)
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return ""
            return response.text or ""

    @task
    def work(self) -> None:
        if SCENARIO == "healthz":
            self._get("/healthz/", "bare view /healthz/", self.headers)
        elif SCENARIO == "lesson":
            self._get(FIXTURES["lesson"], "lesson page", self.headers)
        elif SCENARIO == "lesson-rendered":  # a query string: never a kept copy
            path = f"{FIXTURES['lesson']}?view={self.sent}"
            self._get(path, "lesson page, rendered", self.headers)
        else:
            self.student()

    def student(self) -> None:
        # of ten requests: 3 lesson, 2 rating, 2 autosave, 3 polls
        action = (self.sent + self.offset) % 10
        if action in (0, 4, 7):
            self._get(FIXTURES["lesson"], "lesson page", self.headers)
        elif action in (1, 5):
            body = self._post(
                FIXTURES["rate"],
                "flashcard rating",
                {"rating": "3", "sequence": str(self.sequence), "source": "lesson"},
            )
            match = _SEQUENCE.search(body)
            self.sequence = int(match.group(1)) if match else self.sequence + 1
        elif action in (2, 8):
            question = FIXTURES["question"]
            body = self._post(
                self.account["autosave"],
                "quiz autosave",
                {f"q-{question}": f"answer {self.sent}", f"rev-{question}": str(self.revision)},
            )
            match = _REVISION.search(body)
            if match:
                self.revision = int(match.group(2))
        else:
            self._get(self.account["run"], "lab status poll", self.htmx)
