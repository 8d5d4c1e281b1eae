-- Demo Wrapper data for the quick start (loaded only on embedded PostgreSQL, never in production):
-- tenant "acme" has CRM and HRMS enabled, tenant "globex" HRMS only.
INSERT INTO tenants (id, name) VALUES ('acme', 'Acme Corp'), ('globex', 'Globex Inc');

INSERT INTO organization_applications (tenant_id, application_code, is_enabled, enabled_at) VALUES
    ('acme', 'crm', true, now()), ('acme', 'hrms', true, now()), ('globex', 'hrms', true, now());

INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost, description) VALUES
    ('acme', 'crm.leads.create', 2.00, 'Create a lead'),
    ('acme', 'crm.contacts.import', 5.00, 'Import contacts'),
    ('acme', 'crm.reports.generate', 3.50, 'Generate a report'),
    ('acme', 'hrms.payroll.process', 10.00, 'Run payroll'),
    ('acme', 'finance.invoice.generate', 1.00, 'Generate an invoice'),
    ('globex', 'hrms.employee.onboard', 4.00, 'Onboard an employee'),
    ('globex', 'hrms.leave.approve', 0.50, 'Approve leave'),
    ('globex', 'crm.leads.create', 2.50, 'Create a lead');

INSERT INTO roles (id, tenant_id, name, permissions) VALUES
    ('00000000-0000-0000-0000-00000000a001', 'acme', 'Sales rep', '{crm.leads.create,crm.leads.update,crm.contacts.import}'),
    ('00000000-0000-0000-0000-00000000a002', 'acme', 'HR admin', '{hrms.*,user-management}'),
    ('00000000-0000-0000-0000-00000000b001', 'globex', 'HR clerk', '{hrms.leave.approve}');

INSERT INTO users (id, tenant_id, email, first_name, last_name, job_title) VALUES
    ('00000000-0000-0000-0000-0000000a0001', 'acme', 'ada@acme.example', 'Ada', 'Lovelace', 'Sales lead'),
    ('00000000-0000-0000-0000-0000000a0002', 'acme', 'alan@acme.example', 'Alan', 'Turing', 'HR manager'),
    ('00000000-0000-0000-0000-0000000b0001', 'globex', 'grace@globex.example', 'Grace', 'Hopper', 'HR clerk');

INSERT INTO entities (id, tenant_id, parent_id, code, name, industry) VALUES
    ('00000000-0000-0000-0000-000000e0a001', 'acme', NULL, 'ACME', 'Acme Corp', 'Manufacturing'),
    ('00000000-0000-0000-0000-000000e0a002', 'acme', '00000000-0000-0000-0000-000000e0a001', 'ACME-EU', 'Acme Europe', 'Manufacturing'),
    ('00000000-0000-0000-0000-000000e0b001', 'globex', NULL, 'GLOBEX', 'Globex Inc', 'Energy');

INSERT INTO organization_memberships (tenant_id, user_id, organization_id, role_id) VALUES
    ('acme', '00000000-0000-0000-0000-0000000a0001', '00000000-0000-0000-0000-000000e0a002', '00000000-0000-0000-0000-00000000a001'),
    ('acme', '00000000-0000-0000-0000-0000000a0002', '00000000-0000-0000-0000-000000e0a001', '00000000-0000-0000-0000-00000000a002'),
    ('globex', '00000000-0000-0000-0000-0000000b0001', '00000000-0000-0000-0000-000000e0b001', '00000000-0000-0000-0000-00000000b001');

INSERT INTO credit_allocations (tenant_id, entity_id, target_application, amount, available, expires_at) VALUES
    ('acme', '00000000-0000-0000-0000-000000e0a001', 'crm', 1000, 1000, now() + interval '1 year'),
    ('acme', '00000000-0000-0000-0000-000000e0a001', 'hrms', 500, 420, now() + interval '1 year'),
    ('globex', '00000000-0000-0000-0000-000000e0b001', 'hrms', 300, 300, NULL);
