function n = open_handles()
%OPEN_HANDLES How many models, records and streams are open (not yet deleted): a
%   struct with fields model, record and stream. All zero once every haresnet object
%   has been cleared; a check for leaks.
n = haresnet_mex('live');
end
