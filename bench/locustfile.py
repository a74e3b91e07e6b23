"""The load test's users (run by bench.run, not by hand): each logs in as a different school
officer, then browses the dashboard, its dossier and the summary page until the run has made
its fixed count of requests."""

import itertools
import json
import os
import re

from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["BENCH_USERS"], encoding="utf-8").read())
ACCOUNTS = itertools.cycle(CONFIG["users"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
made = 0


@events.request.add_listener
def _count(**kwargs):
    global made
    made += 1
    if made >= CONFIG["requests"]:
        runner = kwargs.get("context", {}).get("runner") or _runner
        if runner:
            runner.quit()


_runner = None


@events.init.add_listener
def _init(environment, **kwargs):
    global _runner
    _runner = environment.runner


class Officer(HttpUser):
    wait_time = between(0.05, 0.2)

    def on_start(self):
        self.username, self.unit_id = next(ACCOUNTS)
        page = self.client.get("/dang-nhap/", name="đăng nhập (trang)")
        token = CSRF.search(page.text).group(1)
        with self.client.post("/dang-nhap/", name="đăng nhập (gửi)", data={
            "username": self.username, "password": CONFIG["password"], "csrfmiddlewaretoken": token,
        }, headers={"Referer": self.host + "/dang-nhap/"}, catch_response=True) as response:
            if "/dang-nhap/" in response.url:
                response.failure("đăng nhập không thành công")
        self.client.get(f"/?year={CONFIG['year']}", name="trang chủ")

    @task(2)
    def home(self):
        self.client.get("/", name="trang chủ")

    @task(3)
    def dossier(self):
        self.client.get(f"/dang-ky/{self.unit_id}/{CONFIG['year']}/", name="hồ sơ đăng ký")

    @task(1)
    def summary(self):
        self.client.get("/bao-cao/", name="báo cáo tổng hợp")
