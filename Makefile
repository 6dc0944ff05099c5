# CCHC: two commands on a fresh machine (Python 3.11+ and make): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench install system-deps migrate demo prod clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "CCHC cần Python 3.11 trở lên"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/ensure_system_packages.sh

migrate: install
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=true $(PY) manage.py load_demo

# Two-factor sign-in is on by default for the staff and the administrator; this local demo
# switches it off explicitly so that every demo account signs in with its password alone.
# `make run CCHC_TWO_FACTOR_REQUIRED=true` runs the demo as a real installation would.
CCHC_TWO_FACTOR_REQUIRED ?= false

# The demo talks to the shipped stand-in of the National Public Service Portal (docs/dvcqg.md).
DVCQG_STANDIN_PORT ?= 8765
DVCQG_DEMO_URL := http://127.0.0.1:$(DVCQG_STANDIN_PORT)
# The site and its loops share these: the stand-in is DVCQG and, under /pp/, the payment
# platform with the partner cchc.payments.standin.make_app knows by default.
DEMO_LINK_ENV = DJANGO_DEBUG=true DVCQG_ADAPTER_URL=$(DVCQG_DEMO_URL) \
	PAYMENT_PLATFORM_URL=$(DVCQG_DEMO_URL)/pp/ PAYMENT_PARTNER_CODE=CCHC-DEMO \
	PAYMENT_SECRET=demo-payment-secret DVCQG_INBOUND_SECRET=demo-inbound-secret \
	PAYMENT_RECONCILE_AFTER_MINUTES=1

run: demo
	@echo "CCHC: http://127.0.0.1:8000 (Ctrl+C để dừng)"
	@echo ""
	@echo "Xác thực hai bước (TOTP): CCHC_TWO_FACTOR_REQUIRED=$(CCHC_TWO_FACTOR_REQUIRED)."
	@echo "  Khi triển khai thật, quản trị viên và mọi vai trò cán bộ bắt buộc xác thực hai bước"
	@echo "  (tắt riêng từng vai trò tại /quan-tri/core/rolepolicy/). Bản minh họa này tắt mặc định;"
	@echo "  chạy 'make run CCHC_TWO_FACTOR_REQUIRED=true' để thử như khi triển khai."
	@echo "  Cách thiết lập (bắt buộc ở lần đăng nhập đầu, hoặc tự bật tại /tai-khoan/xac-thuc-hai-buoc/):"
	@echo "    1. Cài ứng dụng xác thực trên điện thoại (FreeOTP, Aegis, Google/Microsoft Authenticator)."
	@echo "    2. Đăng nhập bằng tài khoản cán bộ; trang /dang-nhap/thiet-lap-xac-thuc/ hiện mã QR và khóa bí mật."
	@echo "    3. Quét mã QR (hoặc nhập khóa) trong ứng dụng, rồi nhập mã 6 chữ số ứng dụng hiển thị."
	@echo "    Những lần sau: mật khẩu, rồi mã 6 chữ số tại /dang-nhap/xac-thuc/."
	@mkdir -p var
	@DJANGO_DEBUG=true $(PY) manage.py run_national_standin --port $(DVCQG_STANDIN_PORT) > var/dvcqg-standin.log 2>&1 & standin=$$!; \
	$(DEMO_LINK_ENV) $(PY) manage.py sync_national_portal --backfill --every 10 > var/dvcqg-sync.log 2>&1 & sync=$$!; \
	$(DEMO_LINK_ENV) $(PY) manage.py reconcile_payments --every 10 > var/dvcqg-payments.log 2>&1 & pay=$$!; \
	$(DEMO_LINK_ENV) $(PY) manage.py send_satisfaction_summaries --every 86400 > var/dvcqg-ratings.log 2>&1 & ratings=$$!; \
	DJANGO_DEBUG=true $(PY) manage.py refresh_par_metrics --every 3600 > var/par-metrics.log 2>&1 & par=$$!; \
	trap 'kill $$standin $$sync $$pay $$ratings $$par 2>/dev/null; wait $$standin $$sync $$pay $$ratings $$par 2>/dev/null' EXIT; trap 'exit 0' INT TERM; \
	echo "Cổng DVCQG (trạm giả lập): $(DVCQG_DEMO_URL), DVCQG_ADAPTER_URL trỏ đến đó, đồng bộ mỗi 10 giây (nhật ký var/dvcqg-*.log)."; \
	echo "Nền tảng thanh toán (trạm giả lập): $(DVCQG_DEMO_URL)/pp/, đối soát giao dịch mỗi 10 giây; tổng hợp đánh giá hài lòng tháng trước đưa vào hàng chờ gửi Cổng mỗi ngày một lần."; \
	echo "Thử một hồ sơ nộp trên Cổng DVCQG: $(PY) manage.py run_national_standin --push-demo http://127.0.0.1:8000/api/v1/dvcqg/ho-so --secret demo-inbound-secret"; \
	$(DEMO_LINK_ENV) CCHC_TWO_FACTOR_REQUIRED=$(CCHC_TWO_FACTOR_REQUIRED) $(PY) manage.py runserver 127.0.0.1:8000

test: install system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: install system-deps
	$(PY) -m bench.run $(BENCH_ARGS)

# Production topology on 127.0.0.1 (nginx TLS -> granian -> PostgreSQL, Redis, task worker):
# https://127.0.0.1:8443/ in the foreground, Ctrl+C stops it. PROD_ARGS=start|stop|status|...
prod: install system-deps
	@bash scripts/prod.sh $(PROD_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
