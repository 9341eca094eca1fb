CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`event` text NOT NULL,
	`actor_uuid` text,
	`subject_uuid` text,
	`ip` text,
	`user_agent` text,
	`country` text,
	`client_id` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_subject_idx` ON `audit_events` (`subject_uuid`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_event_idx` ON `audit_events` (`event`,`id`);--> statement-breakpoint
CREATE TABLE `retired_usernames` (
	`key_hash` text PRIMARY KEY NOT NULL,
	`retired_until` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `retired_usernames_until_idx` ON `retired_usernames` (`retired_until`);