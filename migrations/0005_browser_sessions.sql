ALTER TABLE `sessions` ADD `cookie_hash` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `idle_seconds` integer;