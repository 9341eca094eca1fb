CREATE TABLE `celebrity_names` (
	`name_key` text PRIMARY KEY NOT NULL,
	`user_uuid` text NOT NULL,
	`claimed_at` integer NOT NULL,
	FOREIGN KEY (`user_uuid`) REFERENCES `users`(`uuid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `celebrity_names_user_uuid_idx` ON `celebrity_names` (`user_uuid`);