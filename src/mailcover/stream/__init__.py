"""The mail stream at scale: plants publish pieces to NATS JetStream (`feed`), any number of
workers share one durable consumer (`worker`), and `status` says how it goes (DESIGN.md, At
scale; docs/operations.md)."""
