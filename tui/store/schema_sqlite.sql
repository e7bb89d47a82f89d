-- A new SQLite store, as create_all + the Alembic stamp make it (tui/store/schema_script.py).
-- Generated: python -m tui.store.schema_script. Do not edit by hand.

CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	action VARCHAR NOT NULL, 
	entity VARCHAR NOT NULL, 
	entity_id INTEGER, 
	"before" VARCHAR NOT NULL, 
	"after" VARCHAR NOT NULL, 
	batch VARCHAR NOT NULL, 
	prev_hash VARCHAR NOT NULL, 
	hash VARCHAR NOT NULL, 
	origin VARCHAR DEFAULT '' NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_audit_log_at ON audit_log (at);

CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE circular_counter (
	year INTEGER NOT NULL, 
	next_seq INTEGER NOT NULL, 
	PRIMARY KEY (year)
);

CREATE TABLE letter_counter (
	kind VARCHAR NOT NULL, 
	year INTEGER NOT NULL, 
	next_seq INTEGER NOT NULL, 
	PRIMARY KEY (kind, year)
);

CREATE TABLE merge_map (
	origin VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	source_id INTEGER NOT NULL, 
	target_id INTEGER NOT NULL, 
	PRIMARY KEY (origin, kind, source_id)
);

CREATE TABLE meta (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE "plan" (
	id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	issuer VARCHAR NOT NULL, 
	issue_date DATE, 
	region VARCHAR NOT NULL, 
	period_start INTEGER, 
	period_end INTEGER, 
	period_source VARCHAR NOT NULL, 
	source_name VARCHAR NOT NULL, 
	content_hash VARCHAR NOT NULL, 
	revision INTEGER NOT NULL, 
	plan_text TEXT NOT NULL, 
	imported_at DATETIME NOT NULL, 
	imported_by VARCHAR NOT NULL, 
	identity_version INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_plan_content_hash ON "plan" (content_hash);

CREATE INDEX ix_plan_key ON "plan" ("key");

CREATE TABLE region (
	name VARCHAR NOT NULL, 
	prefixes VARCHAR NOT NULL, 
	"match" VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE unit (
	id INTEGER NOT NULL, 
	region VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	head VARCHAR NOT NULL, 
	contact VARCHAR NOT NULL, 
	phone VARCHAR NOT NULL, 
	address VARCHAR NOT NULL, 
	sample BOOLEAN NOT NULL, 
	from_directory BOOLEAN NOT NULL, 
	merged_into INTEGER, 
	PRIMARY KEY (id), 
	UNIQUE (region, name), 
	FOREIGN KEY(merged_into) REFERENCES unit (id)
);

CREATE TABLE unit_group (
	id INTEGER NOT NULL, 
	region VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	aliases VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (region, name)
);

CREATE TABLE circular (
	id INTEGER NOT NULL, 
	plan_id INTEGER NOT NULL, 
	as_of DATE NOT NULL, 
	status VARCHAR NOT NULL, 
	year INTEGER, 
	seq INTEGER, 
	number VARCHAR, 
	title VARCHAR NOT NULL, 
	figures TEXT NOT NULL, 
	body TEXT NOT NULL, 
	batch VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR NOT NULL, 
	signed_at DATETIME, 
	signed_by VARCHAR, 
	issued_on DATE, 
	printed_at DATETIME, 
	printed_by VARCHAR, 
	voided_at DATETIME, 
	voided_by VARCHAR, 
	void_reason VARCHAR, 
	files VARCHAR NOT NULL, 
	origin VARCHAR DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_circular_origin_year_seq UNIQUE (origin, year, seq), 
	CONSTRAINT uq_circular_origin_number UNIQUE (origin, number), 
	FOREIGN KEY(plan_id) REFERENCES "plan" (id)
);

CREATE INDEX ix_circular_status ON circular (status);

CREATE TABLE import_correction (
	id INTEGER NOT NULL, 
	plan_id INTEGER NOT NULL, 
	task_key VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(plan_id) REFERENCES "plan" (id)
);

CREATE INDEX ix_import_correction_plan_id ON import_correction (plan_id);

CREATE TABLE letter (
	id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	rung INTEGER NOT NULL, 
	year INTEGER, 
	seq INTEGER, 
	number VARCHAR, 
	unit_id INTEGER NOT NULL, 
	addressee VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	body TEXT NOT NULL, 
	status VARCHAR NOT NULL, 
	batch VARCHAR NOT NULL, 
	as_of DATE NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR NOT NULL, 
	signed_at DATETIME, 
	signed_by VARCHAR, 
	issued_on DATE, 
	reply_due DATE, 
	printed_at DATETIME, 
	printed_by VARCHAR, 
	voided_at DATETIME, 
	voided_by VARCHAR, 
	void_reason VARCHAR, 
	files VARCHAR NOT NULL, 
	supersedes_id INTEGER, 
	origin VARCHAR DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_letter_origin_kind_year_seq UNIQUE (origin, kind, year, seq), 
	CONSTRAINT uq_letter_origin_number UNIQUE (origin, number), 
	FOREIGN KEY(unit_id) REFERENCES unit (id), 
	FOREIGN KEY(supersedes_id) REFERENCES letter (id)
);

CREATE INDEX ix_letter_status ON letter (status);

CREATE INDEX ix_letter_unit ON letter (unit_id);

CREATE TABLE list_issue (
	id INTEGER NOT NULL, 
	plan_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	plan_revision INTEGER NOT NULL, 
	issued_on DATE NOT NULL, 
	items INTEGER NOT NULL, 
	files VARCHAR NOT NULL, 
	batch VARCHAR NOT NULL, 
	issued_at DATETIME NOT NULL, 
	issued_by VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(plan_id) REFERENCES "plan" (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);

CREATE INDEX ix_list_issue_issued_on ON list_issue (issued_on);

CREATE INDEX ix_list_issue_plan_unit ON list_issue (plan_id, unit_id);

CREATE TABLE outline_node (
	id INTEGER NOT NULL, 
	plan_id INTEGER NOT NULL, 
	parent_id INTEGER, 
	level INTEGER NOT NULL, 
	number VARCHAR NOT NULL, 
	heading VARCHAR NOT NULL, 
	body VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(plan_id) REFERENCES "plan" (id), 
	FOREIGN KEY(parent_id) REFERENCES outline_node (id)
);

CREATE INDEX ix_outline_node_plan_id ON outline_node (plan_id);

CREATE TABLE plan_revision (
	id INTEGER NOT NULL, 
	plan_id INTEGER NOT NULL, 
	revision INTEGER NOT NULL, 
	content_hash VARCHAR NOT NULL, 
	source_name VARCHAR NOT NULL, 
	imported_at DATETIME NOT NULL, 
	imported_by VARCHAR NOT NULL, 
	summary VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(plan_id) REFERENCES "plan" (id)
);

CREATE INDEX ix_plan_revision_plan_id ON plan_revision (plan_id);

CREATE TABLE unit_alias (
	id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	region VARCHAR NOT NULL, 
	alias VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (region, alias), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);

CREATE INDEX ix_unit_alias_unit_id ON unit_alias (unit_id);

CREATE TABLE unit_group_member (
	group_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	PRIMARY KEY (group_id, unit_id), 
	FOREIGN KEY(group_id) REFERENCES unit_group (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);

CREATE TABLE letter_reply (
	id INTEGER NOT NULL, 
	letter_id INTEGER NOT NULL, 
	replied_on DATE NOT NULL, 
	text TEXT NOT NULL, 
	settle VARCHAR NOT NULL, 
	recorded_by VARCHAR NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(letter_id) REFERENCES letter (id)
);

CREATE INDEX ix_letter_reply_letter_id ON letter_reply (letter_id);

CREATE TABLE task (
	id INTEGER NOT NULL, 
	plan_id INTEGER NOT NULL, 
	node_id INTEGER, 
	number VARCHAR NOT NULL, 
	"key" VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	text TEXT NOT NULL, 
	deadline_text VARCHAR NOT NULL, 
	section_path VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	source_line INTEGER NOT NULL, 
	active BOOLEAN NOT NULL, 
	first_revision INTEGER NOT NULL, 
	last_revision INTEGER NOT NULL, 
	due_kind VARCHAR NOT NULL, 
	due_dates VARCHAR NOT NULL, 
	due_recurring BOOLEAN NOT NULL, 
	due_first VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(plan_id) REFERENCES "plan" (id), 
	FOREIGN KEY(node_id) REFERENCES outline_node (id)
);

CREATE INDEX ix_task_due_first ON task (due_first);

CREATE INDEX ix_task_plan_active ON task (plan_id, active);

CREATE INDEX ix_task_plan_id ON task (plan_id);

CREATE INDEX ix_task_plan_key ON task (plan_id, "key");

CREATE TABLE assignment (
	id INTEGER NOT NULL, 
	task_id INTEGER NOT NULL, 
	unit_id INTEGER, 
	group_id INTEGER, 
	via_group_id INTEGER, 
	role VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	completed_on DATE, 
	due_override DATE, 
	PRIMARY KEY (id), 
	UNIQUE (task_id, unit_id, group_id, role), 
	FOREIGN KEY(task_id) REFERENCES task (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id), 
	FOREIGN KEY(group_id) REFERENCES unit_group (id), 
	FOREIGN KEY(via_group_id) REFERENCES unit_group (id)
);

CREATE INDEX ix_assignment_task ON assignment (task_id);

CREATE INDEX ix_assignment_unit ON assignment (unit_id);

CREATE TABLE task_deadline (
	id INTEGER NOT NULL, 
	task_id INTEGER NOT NULL, 
	source VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	due DATE, 
	rrule VARCHAR, 
	text VARCHAR NOT NULL, 
	span_start INTEGER NOT NULL, 
	span_end INTEGER NOT NULL, 
	note VARCHAR NOT NULL, 
	reason VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(task_id) REFERENCES task (id)
);

CREATE INDEX ix_task_deadline_task_id ON task_deadline (task_id);

CREATE TABLE extension (
	id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	requested_on DATE NOT NULL, 
	reason VARCHAR NOT NULL, 
	new_due DATE NOT NULL, 
	granted BOOLEAN NOT NULL, 
	decision_note VARCHAR NOT NULL, 
	previous_due DATE, 
	decided_at DATETIME NOT NULL, 
	decided_by VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id)
);

CREATE INDEX ix_extension_assignment_id ON extension (assignment_id);

CREATE TABLE ladder_override (
	id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	rung INTEGER, 
	hold BOOLEAN NOT NULL, 
	reason VARCHAR NOT NULL, 
	"by" VARCHAR NOT NULL, 
	at DATETIME NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id)
);

CREATE INDEX ix_ladder_override_assignment_id ON ladder_override (assignment_id);

CREATE TABLE letter_item (
	id INTEGER NOT NULL, 
	letter_id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	task_number VARCHAR NOT NULL, 
	task_title TEXT NOT NULL, 
	due DATE, 
	deadline_text VARCHAR NOT NULL, 
	last_progress TEXT NOT NULL, 
	earlier_letters VARCHAR NOT NULL, 
	reason VARCHAR NOT NULL, 
	task_id INTEGER, 
	role VARCHAR NOT NULL, 
	missed VARCHAR NOT NULL, 
	progress_on DATE, 
	PRIMARY KEY (id), 
	UNIQUE (letter_id, assignment_id), 
	FOREIGN KEY(letter_id) REFERENCES letter (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id)
);

CREATE INDEX ix_letter_item_assignment ON letter_item (assignment_id);

CREATE INDEX ix_letter_item_letter_id ON letter_item (letter_id);

CREATE TABLE progress (
	id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	reported_on DATE NOT NULL, 
	text TEXT NOT NULL, 
	done BOOLEAN NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	recorded_by VARCHAR NOT NULL, 
	cover_from DATE, 
	cover_to DATE, 
	PRIMARY KEY (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id)
);

CREATE INDEX ix_progress_assignment_id ON progress (assignment_id);

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END;

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('schema10');

INSERT INTO meta (key, value) VALUES ('schema_version', '10');
