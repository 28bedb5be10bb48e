CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`model_name` text NOT NULL,
	`litellm_params` text NOT NULL,
	`model_info` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
