-- wrk script: one enterprise × one policy, POST /v1/evaluate.
-- Run: wrk -t2 -c64 -d20s -s bench/evaluate.lua --latency http://127.0.0.1:8080/v1/evaluate
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"as_of": "2026-11-26", "policies": ["gxj-02"], "facts": {"注册区县": "章贡区", "位于章贡高新区": true, "失信记录": false, "涉黑涉恶记录": false, "生态环境违法记录": false, "安全生产违法记录": false, "首次纳入规上统计年度": 2025, "规上统计专业": "规上工业"}}'
