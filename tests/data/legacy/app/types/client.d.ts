export declare function execute(sql: "CREATE TABLE never_read (x)"): Promise<void>;
